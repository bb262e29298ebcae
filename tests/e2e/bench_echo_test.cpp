// `bench echo` and `bench serve echo` end to end: real processes and
// sockets on every backend, every transport; open loop against a server
// that stalls; a server that dies, one that corrupts a byte; the fd limit.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "command.hpp"
#include "rate_check.hpp"
#include "server_process.hpp"
#include "silent_listener.hpp"

namespace lb::test {
namespace {

nlohmann::json run_json(const std::string& args, CommandResult& r, int limit_s = 120) {
  const std::string json = temp_path("echo.json");
  r = run_bench(args + " --json=" + json, limit_s);
  const std::string text = slurp(json);
  std::remove(json.c_str());
  return text.empty() ? nlohmann::json{} : nlohmann::json::parse(text);
}

// A loop every build has (the libuv-only build has no epoll).
const std::string kLoop = std::string("--loop=") + LOOPBENCH_FIRST_BACKEND;

double latency_us(const nlohmann::json& run, const char* key, const char* q) {
  return run.at("summary").at(key).at(q).get<double>();
}

}  // namespace

TEST_CASE("bench echo: every transport on every loop, closed loop, every echo checked") {
  CommandResult r;
  const auto doc = run_json(
      "echo --transport=tcp,ws,wss --loop=all --connections=1,100 --size=64,16KiB "
      "--pipeline=16 --duration=0.3 --warmup=0.1 --repeat=1 --server-cpu=0 --client-cpu=1",
      r, 300);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto& runs = doc.at("runs");
  CHECK(runs.size() == 3u * 2 * 2 * LOOPBENCH_BACKEND_COUNT);
  for (const auto& run : runs) {
    INFO(run.dump());
    CHECK(run.at("bench") == "echo");
    CHECK(run.at("mode") == "closed");
    const auto& p = run.at("params");
    for (const char* key : {"transport", "connections", "size_bytes", "pipeline", "rate",
                            "client_threads", "server_threads", "duration_s", "warmup_s"})
      CHECK_MESSAGE(p.contains(key), key);
    CHECK(run.at("tls") == (p.at("transport") == "wss"));
    const auto& s = run.at("summary");
    CHECK(s.at("errors") == 0);
    CHECK(s.at("req_per_s").at("min").get<double>() > 0);
    CHECK(latency_us(run, "latency_us", "p50") > 0);
    CHECK(latency_us(run, "latency_us", "p99") <= latency_us(run, "latency_us", "max"));
    CHECK(s.at("cpu_us_per_req").at("median").get<double>() > 0);
    CHECK(s.at("server_cpu_us_per_msg").at("median").get<double>() > 0);
    CHECK(s.at("fairness").at("jain").get<double>() > 0);
    CHECK(s.at("fairness").at("jain").get<double>() <= 1.0);
    CHECK(s.at("connect_ms").at("p50").get<double>() > 0);
    CHECK(s.at("rss_kib").at("client_peak").get<std::uint64_t>() > 0);
    // Each repeat opens them all; a server's first row has a warm-up repeat.
    CHECK(s.at("connections").get<std::uint64_t>() % p.at("connections").get<std::uint64_t>() == 0);
  }
  CHECK(r.out.find("msgs/s") != std::string::npos);
}

TEST_CASE("bench echo opens 2,000 connections on every loop over tcp and ws") {
  CommandResult r;
  const auto doc = run_json(
      "echo --transport=tcp,ws --loop=all --connections=2000 --size=1KiB --duration=1 "
      "--warmup=0.2 --repeat=1 --server-cpu=0 --client-cpu=1",
      r, 300);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  for (const auto& run : doc.at("runs")) {
    const auto& s = run.at("summary");
    // No error: every connection opened, echoed what it sent byte for byte
    // and closed politely.
    CHECK(s.at("errors") == 0);
    CHECK(s.at("fairness").at("jain").get<double>() > 0.5);
    CHECK(s.at("opened_per_s").at("median").get<double>() > 0);
  }
}

TEST_CASE("bench echo open loop reaches its rate") {
  check_rate_on_every_loop(
      [](const std::string& loop) {
        CommandResult r;
        auto doc = run_json(
            "echo --transport=tcp " + loop +
                " --connections=20 --size=256 --rate=5000 --duration=2 --warmup=0.3 --repeat=1 "
                "--server-cpu=0 --client-cpu=1",
            r);
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        return doc;
      },
      [](const nlohmann::json& run) {
        Misses m;
        const auto& rate = run.at("summary").at("rate");
        expect(m, run.at("mode") == "open", "mode open", run.at("mode"));
        expect(m, rate.at("asked") == 5000, "asked 5000/s", rate);
        const double achieved = rate.at("achieved").get<double>();
        expect(m, achieved > 5000 * 0.95 && achieved < 5000 * 1.05, "achieved within 5 %", rate);
        expect(m, rate.at("late").get<double>() < rate.at("slots").get<double>() * 0.05,
               "late under 5 % of the slots", rate);
        return m;
      });
}

TEST_CASE("bench echo open loop above what the pair sustains: a note and the echoed rate") {
  CommandResult r;
  const auto doc = run_json("echo --transport=tcp " + kLoop +
                                " --connections=10 --size=64 --rate=10000000 --duration=0.5 "
                                "--warmup=0.2 --repeat=1 --server-cpu=0 --client-cpu=1",
                            r);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("note: tcp") != std::string::npos);
  CHECK(r.out.find("of the 10000000/s asked") != std::string::npos);
  const auto& rate = doc.at("runs").at(0).at("summary").at("rate");
  INFO(rate.dump());
  // The backlog of the warm-up is still going out: the window's own slots
  // are late or never sent, and the echoes that did come back are counted.
  CHECK(rate.at("late").get<double>() > 0.9 * rate.at("slots").get<double>());
  CHECK(rate.at("echoed").get<double>() > 100);
  CHECK(rate.at("echoed").get<double>() < 1e7);
}

TEST_CASE(
    "bench echo open loop: a stalled server shows in the corrected tail, not the service time") {
  BenchServer server("serve echo " + kLoop + " --cpu=0");
  CommandResult r;
  nlohmann::json doc;
  std::thread client([&] {
    doc = run_json("echo --url=tcp://127.0.0.1:" + std::to_string(server.port()) + " " + kLoop +
                       " --connections=4 --size=64 --rate=4000 --duration=3 "
                       "--warmup=0.5 --repeat=1 --client-cpu=1",
                   r);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1800));
  ::kill(server.pid(), SIGSTOP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(server.pid(), SIGCONT);
  client.join();
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto& run = doc.at("runs").at(0);
  // About 2,000 of 12,000 messages fell due during the stall: corrected,
  // the stall is in p99 and beyond; raw, only the 4 messages in flight.
  CHECK(latency_us(run, "latency_us", "p99") > 100'000);
  CHECK(latency_us(run, "latency_us", "max") > 400'000);
  CHECK(latency_us(run, "service_latency_us", "p99") < 50'000);
  CHECK(latency_us(run, "service_latency_us", "max") > 400'000);
  CHECK(run.at("summary").at("rate").at("late").get<double>() > 1000);
}

TEST_CASE("bench echo on several client and server loop threads: rate shared, histograms merged") {
  CommandResult r;
  const auto doc = run_json(
      "echo --transport=tcp,ws --loop=all --connections=101 --size=256 --rate=6000 "
      "--client-threads=3 --server-threads=2 --duration=1.5 --warmup=0.3 --repeat=1",
      r, 300);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(doc.at("runs").size() == 2u * LOOPBENCH_BACKEND_COUNT);
  for (const auto& run : doc.at("runs")) {
    INFO(run.dump());
    CHECK(run.at("params").at("client_threads") == 3);
    CHECK(run.at("params").at("server_threads") == 2);
    const auto& s = run.at("summary");
    CHECK(s.at("errors") == 0);
    CHECK(s.at("connections").get<int>() % 101 == 0);  // a server's first row: a warm-up repeat
    const auto& rate = s.at("rate");
    CHECK(rate.at("achieved").get<double>() > 6000 * 0.9);
    CHECK(rate.at("achieved").get<double>() < 6000 * 1.05);
    // Every loop's messages in one histogram: about 9,000 in the window.
    CHECK(s.at("latency_us").at("p999").get<double>() > 0);
  }
  CHECK(r.out.find("3/2") != std::string::npos);
}

TEST_CASE("bench serve echo --threads spreads connections over its loops") {
  BenchServer server("serve echo " + kLoop + " --threads=2");
  CommandResult r = run_bench("echo --url=tcp://127.0.0.1:" + std::to_string(server.port()) + " " +
                                  kLoop + " --connections=64 --duration=0.3 --warmup=0 --repeat=1",
                              60);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const std::string summary = server.stop();
  INFO(summary);
  // "loop 1: N connections, ...; loop 2: M connections, ..." with N, M > 0.
  const std::regex loops(R"(loop 1: ([1-9]\d*) connections.*loop 2: ([1-9]\d*) connections)");
  CHECK(std::regex_search(summary, loops));
}

TEST_CASE("bench echo: a server that dies midway is a clear error, not a hang") {
  for (const std::string transport : {"tcp", "ws"}) {
    CAPTURE(transport);
    BenchServer server("serve echo " + kLoop + " --transport=" + transport);
    CommandResult r;
    std::thread client([&] {
      const std::string scheme = transport + "://127.0.0.1:";
      r = run_bench("echo --url=" + scheme + std::to_string(server.port()) +
                        (transport == "ws" ? "/echo" : "") +
                        " --loop=all --connections=10 --client-threads=2 --duration=3 --warmup=0 "
                        "--repeat=1",
                    60);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    ::kill(server.pid(), SIGKILL);
    client.join();
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("bench: ") != std::string::npos);
  }
}

TEST_CASE("bench echo: a server that never echoes is named as such") {
  // Before the window ends and after it, the error names the missing
  // echoes, not the closes.
  SilentListener silent;
  for (const char* duration : {"0.3", "3"}) {
    INFO("--duration=" << duration);
    const auto r = run_bench("echo --url=tcp://127.0.0.1:" + std::to_string(silent.port()) + " " +
                                 kLoop + " --connections=2 --duration=" + duration +
                                 " --warmup=0 --repeat=1 --timeout=1",
                             60);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("nothing was echoed: 2 connections open, no echo within 1000 ms") !=
          std::string::npos);
  }
}

TEST_CASE("bench echo catches an echo with one wrong byte") {
  // A byte echo that flips one bit of stream byte 5000: message 5 of
  // 4 + 1024 bytes each, its payload byte 5000 - 4 * 1028 - 4 = 884.
  const std::string script = temp_path("flip.py");
  {
    std::ofstream py(script);
    py << "import asyncio\n"
          "seen = 0\n"
          "async def handle(r, w):\n"
          "    global seen\n"
          "    while data := await r.read(65536):\n"
          "        b = bytearray(data)\n"
          "        if seen <= 5000 < seen + len(b): b[5000 - seen] ^= 1\n"
          "        seen += len(b)\n"
          "        w.write(bytes(b))\n"
          "        await w.drain()\n"
          "    w.close()\n"
          "async def main():\n"
          "    s = await asyncio.start_server(handle, '127.0.0.1', 0)\n"
          "    print('listening on 127.0.0.1:%d' % s.sockets[0].getsockname()[1], flush=True)\n"
          "    await s.serve_forever()\n"
          "asyncio.run(main())\n";
  }
  BenchServer server("python3 " + script, true);
  const auto r =
      run_bench("echo --url=tcp://127.0.0.1:" + std::to_string(server.port()) + " " + kLoop +
                    " --connections=1 --size=1KiB --duration=1 "
                    "--warmup=0 --repeat=1",
                60);
  std::remove(script.c_str());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("echo of message 5 differs at byte 884") != std::string::npos);
}

TEST_CASE("bench echo says so before starting when the connections exceed the fd limit") {
  const auto r =
      run_bench("echo --connections=5000 " + kLoop + " --duration=1", 30, "ulimit -n 1024;");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("file descriptors for 5000 connections") != std::string::npos);
}

TEST_CASE("bench echo drives the peer echo servers with the same client") {
  CommandResult r;
  const auto doc = run_json(
      "echo --transport=tcp,ws --servers=builtin,asyncio,uvloop-streams,node " + kLoop +
          " "
          "--connections=10 --size=1KiB --duration=0.3 --warmup=0.1 --repeat=1 --server-cpu=0 "
          "--client-cpu=1",
      r, 180);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::set<std::string> seen;
  for (const auto& run : doc.at("runs")) {
    const std::string server = run.at("params").at("server");
    seen.insert(std::string(run.at("params").at("transport")) + " " + server);
    CHECK(run.at("summary").at("errors") == 0);
    CHECK(run.at("summary").at("req_per_s").at("median").get<double>() > 0);
    CHECK(run.at("summary").contains("server_cpu_us_per_msg"));
  }
  // The Python servers serve tcp only: ws runs builtin and node.
  CHECK(seen == std::set<std::string>{"tcp builtin", "tcp asyncio", "tcp uvloop-streams",
                                      "tcp node", "ws builtin", "ws node"});
  CHECK(r.err.find("server asyncio: serves no ws, skipped for ws") != std::string::npos);
  CHECK(r.out.find("ours ") != std::string::npos);
  CHECK(r.out.find("x (medians)") != std::string::npos);
}

TEST_CASE("bench echo --peers: their clients drive our server, beside our loops") {
  CommandResult r;
  const auto doc = run_json("echo --transport=tcp,ws --peers=all " + kLoop +
                                " --connections=10 --size=1KiB --duration=0.5 --warmup=0.2 "
                                "--repeat=1 --server-cpu=0 --client-cpu=1",
                            r, 180);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::set<std::string> seen;
  for (const auto& run : doc.at("runs")) {
    INFO(run.dump().substr(0, 2000));
    const std::string transport = run.at("params").at("transport");
    seen.insert(transport + " " + std::string(run.at("client")) + " " +
                std::string(run.at("loop")));
    const auto& s = run.at("summary");
    CHECK(s.at("errors") == 0);
    CHECK(s.at("req_per_s").at("median").get<double>() > 0);
    CHECK(s.at("latency_us").at("p99").get<double>() > 0);
    if (run.at("client") != "loopbench") {
      CHECK(run.at("peer").at("status") == "ok");
      CHECK(s.at("vs_ours").contains("verdict"));
      CHECK(s.at("connections") == 10);
    }
  }
  // uvloop and node-ws are Debian packages the dependencies install.
  CHECK(seen == std::set<std::string>{"tcp loopbench " LOOPBENCH_FIRST_BACKEND,
                                      "tcp asyncio python-asyncio", "tcp asyncio python-uvloop",
                                      "tcp net node", "ws loopbench " LOOPBENCH_FIRST_BACKEND,
                                      "ws aiohttp python-asyncio", "ws aiohttp python-uvloop",
                                      "ws ws node"});
}

TEST_CASE("bench echo refuses bad options with a clear message") {
  for (const char* args :
       {"--size=2MiB", "--connections=0", "--pipeline=0", "--rate=-1", "--transport=udp",
        "--arrival=burst", "--duration=0", "--servers=nginx",
        "--servers=uvloop --url=tcp://127.0.0.1:9", "--client-threads=0",
        "--connections=2,10 --client-threads=4", "--server-threads=2 --url=tcp://127.0.0.1:9"}) {
    CAPTURE(args);
    const auto r = run_bench(std::string("echo ") + args, 30);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("bench: ") != std::string::npos);
  }
}

}  // namespace lb::test
