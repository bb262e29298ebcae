// A server whose accept() runs out of descriptors: it sheds what it cannot
// take without spinning, keeps serving the connections it has, and accepts
// again once descriptors are free. Real process, real sockets, a real
// RLIMIT_NOFILE.
#include <doctest/doctest.h>
#include <unistd.h>

#include <memory>
#include <sstream>
#include <thread>

#include "command.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace lb::test {
namespace {

// User plus system CPU seconds of a process, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
  const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

bool answers_1k(RawClient& c) {
  if (!c.send("GET /1k HTTP/1.1\r\nHost: t\r\n\r\n")) return false;
  return c.receive(15).rfind("HTTP/1.1 200 OK", 0) == 0;
}

}  // namespace

TEST_CASE("out of descriptors, the server sheds connections without spinning, then serves again") {
  constexpr int kLimit = 64;
  constexpr int kConnections = 300;
  for (const auto& loop : compiled_loops()) {
    INFO("server loop " << loop);
    BenchServer server("(ulimit -n " + std::to_string(kLimit) +
                           "; exec " LOOPBENCH_BENCH " serve http --port 0 --loop " + loop + ")",
                       true);
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < kConnections; ++i) {
      idle.push_back(std::make_unique<RawClient>(server.port(), 20));
      REQUIRE(idle.back()->connected());  // the kernel completes the handshake
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const double before = cpu_seconds(server.pid());
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double spent = cpu_seconds(server.pid()) - before;
    // A spinning loop spends about a second here; idle, a clock tick or two.
    CHECK(spent < 0.1);
    // What it could not take was accepted and closed, not left waiting.
    int shed = 0;
    for (auto& c : idle) {
      c->receive(1);
      shed += c->saw_eof();
    }
    CHECK(shed >= kConnections - kLimit);
    CHECK(shed < kConnections);
    // A connection it took is still served...
    RawClient& first = *idle.front();
    REQUIRE_FALSE(first.saw_eof());
    first.set_timeout(3000);
    CHECK(answers_1k(first));
    // ...and once descriptors are free, new ones are accepted again.
    idle.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    RawClient later(server.port());
    CHECK(answers_1k(later));
    CHECK(server.stop().find("bench serve http:") != std::string::npos);
  }
}

}  // namespace lb::test
