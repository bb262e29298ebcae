// `bench tcp` and `bench serve tcp` end to end: real processes, real
// sockets, every backend, the JSON file checked against the schema.
#include <doctest/doctest.h>

#include <signal.h>
#include <sstream>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "command.hpp"

namespace lb::test {

namespace {

// The keys schema loopbench.results/2 requires of every tcp run.
void check_tcp_run(const nlohmann::json& run, std::uint64_t total, int repeats) {
  CHECK(run.at("bench") == "tcp");
  CHECK(run.at("tls") == false);
  CHECK(run.at("size_bytes") == total);
  const auto& p = run.at("params");
  for (const char* key :
       {"total_bytes", "chunk_bytes", "repeat", "warmup", "server_cpu", "client_cpu", "target"})
    CHECK_MESSAGE(p.contains(key), key);
  REQUIRE(run.at("repeats").size() == static_cast<std::size_t>(repeats));
  const std::uint64_t expected_bytes = run.at("mode") == "concurrent" ? 2 * total : total;
  for (const auto& r : run.at("repeats")) {
    CHECK(r.at("bytes") == expected_bytes);
    CHECK(r.at("duration_s").get<double>() > 0);
    CHECK(r.at("cpu_user_s").get<double>() >= 0);
    CHECK_FALSE(r.contains("requests"));  // omitted where it does not apply
  }
  const auto& s = run.at("summary");
  for (const char* key : {"duration_s", "bytes_per_s", "cpu_s_per_gib"}) {
    const auto& spread = s.at(key);
    CHECK(spread.at("min").get<double>() <= spread.at("median").get<double>());
    CHECK(spread.at("median").get<double>() <= spread.at("max").get<double>());
  }
  CHECK(s.at("bytes_per_s").at("min").get<double>() > 0);
  CHECK(s.at("loop_lag_ms").contains("p99"));
  CHECK(s.at("loop_lag_ms").contains("max"));
  CHECK(s.at("errors") == 0);
  CHECK(s.at("connections") == repeats + 1);  // + the warm-up
  CHECK_FALSE(s.contains("req_per_s"));
  CHECK_FALSE(s.contains("verified"));
}

}  // namespace

TEST_CASE("bench tcp runs every direction on every loop and writes the results file") {
  const std::string json = temp_path("tcp.json");
  const auto r = run_bench(
      "tcp --loop=all --direction=all --total=32MiB --chunk=64KiB "
      "--repeat=2 --warmup=1 --server-cpu=0 --client-cpu=0 --json=" +
      json);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  CHECK(doc.at("schema") == "loopbench.results/2");
  CHECK(doc.at("tool").contains("version"));
  CHECK(doc.at("machine").at("cores").get<int>() >= 1);
  CHECK(doc.at("machine").at("libs").contains("libuv"));
  CHECK(std::regex_match(doc.at("started").get<std::string>(),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  const auto& runs = doc.at("runs");
  REQUIRE(runs.size() == 3 * LOOPBENCH_BACKEND_COUNT);
  for (const auto& run : runs)
    check_tcp_run(run, 32ull << 20, 2);
  // The table names every loop and direction.
  for (const char* word : {"download", "upload", "concurrent", "Gbit/s", "CPU s/GiB"})
    CHECK(r.out.find(word) != std::string::npos);
}

TEST_CASE("bench tcp -d: every direction for a time on every loop, every byte accounted") {
  const std::string json = temp_path("tcp-timed.json");
  const auto r =
      run_bench("tcp --loop=all --direction=all -d 300ms --repeat=2 --warmup=0 --json=" + json);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  REQUIRE(doc.at("runs").size() == 3 * LOOPBENCH_BACKEND_COUNT);
  for (const auto& run : doc.at("runs")) {
    INFO(run.dump().substr(0, 800));
    CHECK(run.at("params").at("duration_s").get<double>() == doctest::Approx(0.3));
    CHECK(run.at("params").at("total_bytes").is_null());
    CHECK(run.at("summary").at("errors") == 0);
    for (const auto& rep : run.at("repeats")) {
      // From connect to the server's last byte: the time asked, then the
      // bytes in flight at the deadline and the trailer.
      CHECK(rep.at("duration_s").get<double>() >= 0.3);
      CHECK(rep.at("duration_s").get<double>() < 3.0);
      CHECK(rep.at("bytes").get<std::uint64_t>() > (1u << 20));
    }
  }
  // Rows of a time are named by it, not by a size of 0 (one loop alone,
  // as in the libuv-only build, compares nothing).
  for (const auto& c : doc.value("comparisons", nlohmann::json::array()))
    CHECK(c.at("group").get<std::string>().find(" 0.3 s") != std::string::npos);
  CHECK(r.out.find(" 0 B") == std::string::npos);
  CHECK(run_bench("tcp -d 1s --total=1GiB").exit_code == 2);
  const auto zero = run_bench("tcp -d 0");
  CHECK(zero.exit_code == 2);
  CHECK(zero.err.find("--duration must be positive") != std::string::npos);
}

TEST_CASE("bench serve tcp serves bench tcp --connect and stops on SIGINT") {
  const std::string out = temp_path("serve.out"), pidfile = temp_path("serve.pid");
  const std::string cmd = std::string("sh -c '") + LOOPBENCH_BENCH + " serve tcp --port 0 --loop " +
                          LOOPBENCH_FIRST_BACKEND + " >" + out + " 2>&1 & echo $! >" + pidfile +
                          "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::smatch m;
  std::string text;
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  for (int i = 0; i < 100 && !std::regex_search(text, m, listening); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    text = slurp(out);
  }
  REQUIRE_MESSAGE(std::regex_search(text, m, listening), text);
  const std::string port = m[1];
  const pid_t pid = std::stoi(slurp(pidfile));

  const auto r =
      run_bench("tcp --connect 127.0.0.1:" + port +
                " --loop=all --direction=concurrent --total=16MiB --repeat=1 --warmup=0");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("server 127.0.0.1:" + port) != std::string::npos);

  // A port in use is one clear line and exit code 1.
  const auto busy = run_bench("serve tcp --port " + port);
  CHECK(busy.exit_code == 1);
  CHECK(busy.err.find("Address already in use") != std::string::npos);

  REQUIRE(::kill(pid, SIGINT) == 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gone = ::kill(pid, 0) != 0;
  }
  CHECK(gone);
  CHECK(slurp(out).find(std::to_string(LOOPBENCH_BACKEND_COUNT) + " transfers served, 0 failed") !=
        std::string::npos);
  std::remove(out.c_str());
  std::remove(pidfile.c_str());
}

TEST_CASE("bad input: one clear line and a non-zero exit, never a crash or a hang") {
  struct Case {
    const char* args;
    int exit_code;
    const char* message;
  };
  const Case cases[] = {
      {"tcp --loop=nosuch", 2, "unknown loop 'nosuch'; available:"},
      {"tcp --total=4XB", 2, "--total: malformed size '4XB'"},
      {"tcp --chunk=64QB", 2, "--chunk: malformed size"},
      {"tcp --chunk=32MiB", 2, "--chunk must be between"},
      {"tcp --direction=sideways", 2, "unknown direction 'sideways'"},
      {"tcp --repeat=0", 2, "--repeat must be >= 1"},
      {"tcp --connect=nohost", 2, "--connect: expected HOST:PORT"},
      {"tcp --client-cpu=4096", 2, "cannot pin the client to CPU 4096"},
      {"tcp --total=lots", 2, "malformed size 'lots'"},
      {"tcp --connect=127.0.0.1:1 --loop=all --repeat=1 --warmup=0", 1, "Connection refused"},
      {"tcp --connect=no-such-host.invalid:80 --repeat=1 --warmup=0", 1, "bad address"},
      // nan and inf parse as numbers: they hung echo and gave "no progress
      // for -9223372036854775808 ms" before they were refused.
      {"echo --duration=nan", 2, "--duration: expected 0 to 1000000 seconds, got 'nan'"},
      {"echo --warmup=inf", 2, "--warmup: expected 0 to 1000000 seconds"},
      {"echo --duration=2e6", 2, "--duration: expected 0 to 1000000 seconds"},
      {"echo --rate=nan", 2, "--rate: expected a finite number, got 'nan'"},
      {"echo --rate=1e12", 2, "--rate: at most 10000000/s"},
      {"tcp --timeout=nan", 2, "--timeout: expected 0 to 1000000 seconds"},
      {"compare --threshold=inf a.json b.json", 2, "--threshold: expected a finite number"},
      {"serve http --close-probability=nan", 2, "--close-probability: expected a finite number"},
      {"nosuchcommand", 2, "unknown command 'nosuchcommand' (tcp, http, ws,"},
      {"", 2, "A subcommand is required"},
  };
  for (const auto& c : cases) {
    const auto r = run_bench(c.args, 60);
    INFO("bench " << std::string(c.args) << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == c.exit_code);
    CHECK((r.out + r.err).find(c.message) != std::string::npos);
  }
}

TEST_CASE("bench tcp, ws and stream --csv: one line per repeat; --quiet prints no table") {
  const std::string loop = std::string("--loop=") + LOOPBENCH_FIRST_BACKEND;
  for (const std::string& cmd :
       {std::string("tcp --total=8MiB"), std::string("ws --total=8MiB --codec=native")}) {
    const auto r = run_bench(cmd + " " + loop + " --repeat=3 --warmup=0 --quiet --csv=-");
    INFO(cmd << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    std::istringstream lines(r.out);
    std::string header, line;
    std::getline(lines, header);
    CHECK(header.rfind("bench,client,loop,codec,mode,size_bytes,tls,round,", 0) == 0);
    int rows = 0;
    while (std::getline(lines, line)) {
      CHECK(line.find(cmd.substr(0, cmd.find(' ')) + ",loopbench," + LOOPBENCH_FIRST_BACKEND) == 0);
      ++rows;
    }
    CHECK(rows == 3);  // the table went nowhere: stdout holds the CSV alone
  }
  const std::string csv = temp_path("tcp.csv");
  const auto r = run_bench("tcp --total=8MiB " + loop + " --repeat=2 --warmup=0 -q --csv=" + csv);
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(slurp(csv).find("\ntcp,loopbench,") != std::string::npos);
  std::remove(csv.c_str());
  CHECK(run_bench("tcp --csv=/nonexistent/dir/x.csv").exit_code == 2);
}

TEST_CASE("headers: one rate unit (10^9 bits), unpinned said in words, counts in the singular") {
  const std::string loop = std::string("--loop=") + LOOPBENCH_FIRST_BACKEND;
  const auto http =
      run_bench("http --mode=async --size=1k --requests=50 " + loop + " --repeat=1 --warmup=0");
  INFO(http.out << http.err);
  CHECK(http.exit_code == 0);
  CHECK(http.out.find("client unpinned") != std::string::npos);
  CHECK(http.out.find("1 repeat after 0 warm-ups") != std::string::npos);
  CHECK(http.out.find("CPU -1") == std::string::npos);
  for (const std::string& cmd : {std::string("tcp"), std::string("ws")}) {
    const auto r = run_bench(cmd + " --total=8MiB " + loop + " --repeat=2 --warmup=1");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("2 repeats after 1 warm-up") != std::string::npos);
    CHECK(r.out.find("Gbit/s") != std::string::npos);
    CHECK(r.out.find("Gibit/s") == std::string::npos);
  }
}

}  // namespace lb::test
