// What a new user mistypes: each is rejected before anything is measured,
// with exit 2 and a message that names the option, and leaves no file.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"

namespace lb::test {
namespace {

bool exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

// Exit 2 with `message` on stderr, within seconds (nothing ran first).
void refused(const std::string& args, const std::string& message) {
  INFO("bench " << args);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_bench(args, 60);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(message) != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
}

}  // namespace

TEST_CASE("bad input: output paths are checked before the run") {
  refused("http --json=/nonexistent/dir/x.json --mode=sync --size=1k --requests=10",
          "--json: cannot write '/nonexistent/dir/x.json': No such file or directory");
  refused("tcp --json=/nonexistent/x.json --loop=epoll --total=8MiB", "--json: cannot write");
  refused("http --csv=/nonexistent/x.csv --mode=sync --size=1k", "--csv: cannot write");
  refused("echo --csv=/nonexistent/x.csv --duration=1", "--csv: cannot write");
  refused("ws --json=/tmp --loop=epoll", "--json: '/tmp' is a directory");
  refused("matrix --out=/proc/x", "--out: cannot make the directory '/proc/x/steps'");
  // A writable path passes the check and the file it probed is not left.
  const std::string fine = temp_path("probe.json");
  refused("tcp --json=" + fine + " --loop=nosuch", "unknown loop 'nosuch'");
  CHECK_FALSE(exists(fine));
}

TEST_CASE("bad input: an empty option value is refused, not filled with the next argument") {
  const std::string cwd_file = "--loop=epoll";
  refused("tcp --json= --loop=epoll --total=8MiB", "--json has an empty value");
  CHECK_FALSE(exists(cwd_file));
  refused("http --url= --mode=sync", "--url has an empty value");
}

TEST_CASE("bad input: odd numbers") {
  refused("matrix --repeat=0", "--rounds: expected auto or a number of rounds of at least 1");
  refused("echo --churn=-1", "--churn: expected a whole number of 0 or more, got '-1'");
  refused("tcp --server-cpu=-3", "--server-cpu: expected a CPU number, or -1 for unpinned");
  refused("echo --client-cpu=x", "--client-cpu: expected a CPU number");
  refused("serve echo --cpu=-2", "--cpu: expected a CPU number");
  refused("tcp --timeout=0", "--timeout: expected more than 0 and at most 1000000 seconds, got 0");
  refused("tcp --timeout=-1", "--timeout: expected 0 to 1000000 seconds");
  const auto version = run_bench("-V");
  CHECK(version.exit_code == 0);
  CHECK(version.out.find("0.") != std::string::npos);
}

TEST_CASE("--json=- writes the results document to stdout, and the table to stderr") {
  const auto r = run_bench(std::string("tcp --loop=") + LOOPBENCH_FIRST_BACKEND +
                           " --total=8MiB --repeat=1 --warmup=0 --json=-");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);  // nothing else on stdout
  CHECK(doc.at("schema") == "loopbench.results/2");
  CHECK(doc.at("runs").size() == 1);
  CHECK(r.err.find("bench tcp") != std::string::npos);
  CHECK_FALSE(exists("-"));
}

TEST_CASE("short options as wrk, oha and h2load spell them: -n -c -t -d -R -k -V") {
  const auto http =
      run_bench(std::string("http -n 20 -c 4 -t 2 --mode=async --loop=") + LOOPBENCH_FIRST_BACKEND +
                " --size=1k --repeat=1 --warmup=0 --json=-");
  INFO(http.out << http.err);
  REQUIRE(http.exit_code == 0);
  const auto h = nlohmann::json::parse(http.out).at("runs").at(0).at("params");
  CHECK(h.at("requests") == 20);
  CHECK(h.at("concurrency") == 4);
  const auto echo = run_bench(std::string("echo -c 2 -d 300ms -t 1 --loop=") +
                              LOOPBENCH_FIRST_BACKEND + " --repeat=1 --json=-");
  INFO(echo.out << echo.err);
  REQUIRE(echo.exit_code == 0);
  const auto e = nlohmann::json::parse(echo.out).at("runs").at(0).at("params");
  CHECK(e.at("connections") == 2);
  CHECK(e.at("duration_s").get<double>() == doctest::Approx(0.3));
  refused("echo -R nan", "--rate: expected a finite number");
}

TEST_CASE("durations take units as wrk, oha and hyperfine read them: 500ms, 2s, 1m") {
  refused("tcp --timeout=3x", "--timeout: expected seconds, or a number with ms, s, m or h");
  refused("echo --duration=3d", "--duration: expected seconds, or a number with ms, s, m or h");
  const std::string json = temp_path("units.json");
  const auto r = run_bench(std::string("echo --loop=") + LOOPBENCH_FIRST_BACKEND +
                               " --duration=500ms --warmup=100ms --timeout=2s --connections=2 "
                               "--repeat=1 --json=" +
                               json,
                           60);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  const auto& params = doc.at("runs").at(0).at("params");
  CHECK(params.at("duration_s").get<double>() == doctest::Approx(0.5));
  CHECK(params.at("warmup_s").get<double>() == doctest::Approx(0.1));
}

}  // namespace lb::test
