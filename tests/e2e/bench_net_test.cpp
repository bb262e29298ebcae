// `--net`: client and built-in server in two network namespaces over the
// delay line, as root (CI runs as root). Each case checks what the path
// did, measured by bench itself (connect RTT, the transfer's rate) against
// what was asked, and that nothing outlives a run.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "command.hpp"

extern char** environ;

namespace lb::test {
namespace {

struct Process {
  pid_t pid = 0;
  std::filesystem::path dir;  // /proc/PID
  std::string comm;
  char state = '?';  // Z: a zombie
  pid_t ppid = 0;
};

// Every process, from /proc/PID/stat.
std::vector<Process> processes() {
  std::vector<Process> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = slurp((entry.path() / "stat").string());
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;  // gone
    Process p{std::stoi(name), entry.path(), stat.substr(open + 1, close - open - 1)};
    std::sscanf(stat.c_str() + close + 1, " %c %d", &p.state, &p.ppid);
    out.push_back(std::move(p));
  }
  return out;
}

// Every network namespace some process is in, by inode.
std::set<ino_t> network_namespaces() {
  std::set<ino_t> out;
  for (const auto& p : processes()) {
    struct stat st {};
    if (::stat((p.dir / "ns" / "net").c_str(), &st) == 0) out.insert(st.st_ino);
  }
  return out;
}

// Processes whose command line mentions `needle` (the delay line is a fork
// of bench, so it has bench's command line).
int processes_with(const std::string& needle) {
  int n = 0;
  for (const auto& p : processes()) {
    auto cmdline = slurp((p.dir / "cmdline").string());
    for (auto& c : cmdline)
      if (c == '\0') c = ' ';
    if (cmdline.find(needle) != std::string::npos) ++n;
  }
  return n;
}

// Starts bench with `args`, stderr into `err`, with the default SIGINT
// disposition (a shell's background job would ignore it).
pid_t spawn_bench(const std::vector<std::string>& args, const std::string& err) {
  std::vector<std::string> all = {LOOPBENCH_BENCH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

// Waits until `path` holds `text` (up to 10 s).
bool wait_for_text(const std::string& path, const std::string& text) {
  for (int i = 0; i < 200; ++i) {
    if (slurp(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// What `pid` and its children are doing: each thread's state and the
// kernel function it sleeps in, so a hang says where it is.
std::string where_stuck(pid_t pid) {
  std::string out;
  for (const auto& p : processes()) {
    if (p.pid != pid && p.ppid != pid) continue;
    out += std::to_string(p.pid) + " (" + p.comm + "):";
    for (const auto& task : std::filesystem::directory_iterator(p.dir / "task"))
      out += " " + slurp((task.path() / "wchan").string());
    out += "\n";
  }
  return out;
}

// The exit status of `pid` within `seconds`, or -1 (then it is killed,
// and `stuck` says where it was).
int exit_within(pid_t pid, int seconds, std::string* stuck = nullptr) {
  int status = 0;
  for (int i = 0; i < seconds * 20; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (stuck) *stuck = where_stuck(pid);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

// The pid of the live child of `parent` named `comm`, or -1. Only a child
// of this run's bench will do: an earlier case's delay line can linger as a
// zombie under init with the same name, and killing that one left this
// run's path intact (a transfer that never ended, once in CI).
pid_t find_child(pid_t parent, const std::string& comm) {
  for (const auto& p : processes())
    if (p.ppid == parent && p.state != 'Z' && p.comm == comm) return p.pid;
  return -1;
}

nlohmann::json run_json(const std::string& args, const std::string& name) {
  const std::string json = temp_path(name);
  const auto r = run_bench(args + " --json=" + json, 180);
  INFO(r.out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  return doc;
}

}  // namespace

TEST_CASE("bench --net: an asked RTT of 20 ms measures within 15 %, on every loop") {
  const auto doc = run_json(
      "tcp --net=rtt=20ms,rate=1gbit --loop=all --total=4MiB "
      "--repeat=1 --warmup=0",
      "net-rtt.json");
  REQUIRE(doc.at("runs").size() == compiled_loops().size());
  for (const auto& run : doc.at("runs")) {
    const auto& net = run.at("params").at("net");
    CHECK(net.at("rtt_ms") == 20);
    CHECK(net.at("rate_bps") == 1'000'000'000);
    const double p50 = net.at("measured").at("connect_p50_ms");
    CHECK(p50 > 20 * 0.85);
    CHECK(p50 < 20 * 1.15);
    CHECK(net.at("delay_line").at("cpu_s").get<double>() >= 0);
  }
}

TEST_CASE("bench --net: 200 Mbit/s gives bench tcp within 10 % below it, never above") {
  const auto doc =
      run_json("tcp --net=rtt=2ms,rate=200mbit --loop=" + std::string(LOOPBENCH_FIRST_BACKEND) +
                   " --direction=download,upload --total=64MiB --repeat=1 "
                   "--warmup=0",
               "net-rate.json");
  REQUIRE(doc.at("runs").size() == 2);
  for (const auto& run : doc.at("runs")) {
    INFO(run.at("mode"));
    // Payload bits/s: at most the link's 200 Mbit/s of Ethernet frames.
    const double bps = run.at("summary").at("bytes_per_s").at("median").get<double>() * 8;
    CHECK(bps <= 200e6);
    CHECK(bps >= 200e6 * 0.9);
    const auto& measured = run.at("params").at("net").at("measured");
    CHECK(measured.at("rate_down_bps").get<double>() == doctest::Approx(200e6).epsilon(0.15));
    CHECK(measured.at("rate_up_bps").get<double>() == doctest::Approx(200e6).epsilon(0.15));
  }
}

TEST_CASE("bench --net: 1 % loss, a stream still completes and verifies both ways, ws and wss") {
  const std::string data = temp_path("net-stream.bin");
  REQUIRE(run_bench("stream generate --size 16MiB --file " + data).exit_code == 0);
  for (const char* tls : {"", " --tls"}) {
    INFO(tls);
    const auto doc = run_json(
        "stream client --net=rtt=4ms,rate=200mbit,loss=1% --test=both "
        "--loop=all --repeat=1 --warmup=0 --file=" +
            data + tls,
        "net-stream.json");
    REQUIRE(doc.at("runs").size() == 2 * compiled_loops().size());
    for (const auto& run : doc.at("runs")) {
      CHECK(run.at("summary").at("verified") == true);
      CHECK(run.at("summary").at("errors") == 0);
      CHECK(run.at("params").at("net").at("loss") == 0.01);
    }
  }
  std::remove(data.c_str());
}

TEST_CASE("bench --net: http and ws over the path, https and wss verified against its address") {
  const auto http = run_json(
      "http --net=lan --tls --mode=async --loop=all --size=20k "
      "--requests=400 --repeat=1 --warmup=0",
      "net-http.json");
  for (const auto& run : http.at("runs"))
    CHECK(run.at("summary").at("errors") == 0);
  const auto ws = run_json(
      "ws --net=wan --tls --loop=all --direction=download,upload "
      "--total=16MiB --repeat=1 --warmup=0",
      "net-ws.json");
  REQUIRE(ws.at("runs").size() == 2 * compiled_loops().size());
  for (const auto& run : ws.at("runs"))
    CHECK(run.at("summary").at("errors") == 0);
}

TEST_CASE("bench --net leaves no namespace or process behind: a clean exit and SIGINT midway") {
  const auto before = network_namespaces();
  const auto r = run_bench(
      "echo --net=lan --transport=tcp --connections=10 --duration=0.5 "
      "--repeat=1 --loop=" +
      std::string(LOOPBENCH_FIRST_BACKEND));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(network_namespaces() == before);

  // SIGINT while a long transfer runs over the path.
  const std::string err = temp_path("net-sigint.err");
  const pid_t pid = spawn_bench({"tcp", "--net=wan", "--total=64GiB", "--repeat=1", "--warmup=0",
                                 "--loop=" + std::string(LOOPBENCH_FIRST_BACKEND)},
                                err);
  INFO(slurp(err));
  CHECK(wait_for_text(err, "measured"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // mid-transfer
  CHECK(network_namespaces().size() >= before.size() + 3);
  ::kill(pid, SIGINT);
  CHECK(exit_within(pid, 10) != -1);
  std::remove(err.c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(network_namespaces() == before);
  CHECK(processes_with("--total=64GiB") == 0);
}

TEST_CASE("bench --net: a delay line that dies midway fails the run clearly, leaving nothing") {
  const auto before = network_namespaces();
  const std::string err = temp_path("net-cut.err");
  const pid_t pid =
      spawn_bench({"ws", "--net=rtt=2ms,rate=200mbit", "--total=64GiB", "--repeat=1", "--warmup=0",
                   "--timeout=3", "--loop=" + std::string(LOOPBENCH_FIRST_BACKEND)},
                  err);
  INFO(slurp(err));
  REQUIRE(wait_for_text(err, "measured"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // mid-transfer
  const pid_t line = find_child(pid, "bench-delayline");
  REQUIRE(line > 0);
  ::kill(line, SIGKILL);
  std::string stuck;
  const int status = exit_within(pid, 30, &stuck);
  INFO("still running after 30 s: ", stuck);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(slurp(err).find("the delay line was killed by signal 9") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(network_namespaces() == before);
  std::remove(err.c_str());
}

TEST_CASE("bench --net: bad profiles, a server of the user's and no root are clear errors") {
  auto r = run_bench("tcp --net=fast --total=1MiB");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--net fast: unknown profile") != std::string::npos);
  r = run_bench("tcp --net=rtt=20ms --total=1MiB");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("rtt and rate are required") != std::string::npos);
  r = run_bench("http --net=wan --url=http://127.0.0.1:9/ --requests=1");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("leave out --url") != std::string::npos);
  r = run_bench("ws --net=wan --peers=aiohttp --total=1MiB");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("leave out --peers") != std::string::npos);
  if (::access("/usr/bin/setpriv", X_OK) == 0) {
    r = run_bench("tcp --net=wan --total=1MiB", 60,
                  "setpriv --reuid=65534 --regid=65534 --clear-groups --");
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--net needs root (CAP_NET_ADMIN)") != std::string::npos);
  }
}

}  // namespace lb::test
