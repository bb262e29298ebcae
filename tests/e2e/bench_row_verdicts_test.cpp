// Several loops in one measuring command: the rows run in paired rounds
// (every loop once per round, shuffled with --seed), and each loop is
// compared with the reference loop round by round, in the table and in
// --json. The test-only twin (LOOPBENCH_TEST_TWIN) gives every build two
// loops, even one with libuv alone.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "command.hpp"

namespace lb::test {
namespace {

const std::string kVerdictLoop = LOOPBENCH_FIRST_BACKEND;
const std::string kTwinSwitch = "LOOPBENCH_TEST_TWIN=" + kVerdictLoop;

void check_paired_rounds(const nlohmann::json& doc, std::size_t metrics) {
  CHECK(doc.at("verdicts").at("reference") == kVerdictLoop);
  CHECK(doc.at("verdicts").at("seed") == 11);
  for (const auto& run : doc.at("runs")) {
    std::set<int> rounds;
    for (const auto& rep : run.at("repeats")) {
      rounds.insert(rep.at("round").get<int>());
      CHECK(rep.at("machine").at("probe_us").size() == 2);
    }
    CHECK(rounds == std::set<int>{1, 2, 3, 4, 5, 6});
  }
  const auto& comparisons = doc.at("comparisons");
  REQUIRE(comparisons.size() == metrics);
  for (const auto& c : comparisons) {
    INFO(c.dump());
    CHECK(c.at("row") == kVerdictLoop + "-twin");
    CHECK(c.at("against") == "loop");
    CHECK(c.at("reference") == kVerdictLoop);
    CHECK(c.at("rounds") == 6);
    REQUIRE(c.contains("ratio"));
    CHECK(c.at("low").get<double>() <= c.at("ratio").get<double>());
    CHECK(c.at("ratio").get<double>() <= c.at("high").get<double>());
    CHECK(c.at("confidence").get<double>() >= 0.95);
  }
}

}  // namespace

TEST_CASE("bench verdicts: bench tcp with two loops compares them round by round") {
  const std::string json = temp_path("verdicts-tcp.json");
  const auto r = run_bench("tcp --loop=" + kVerdictLoop + "," + kVerdictLoop +
                               "-twin --total=32MiB --repeat=6 --warmup=0 --seed=11 --json=" + json,
                           120, kTwinSwitch);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("each row against " + kVerdictLoop + " (loops)") != std::string::npos);
  CHECK(r.out.find("--seed=11") != std::string::npos);
  check_paired_rounds(nlohmann::json::parse(slurp(json)), 2);  // throughput, CPU per op
  std::remove(json.c_str());
}

TEST_CASE("bench verdicts: bench http compares p99 too, and names a wrong reference") {
  const std::string json = temp_path("verdicts-http.json");
  const auto r =
      run_bench("http --mode=async --size=1k --requests=200 --loop=" + kVerdictLoop + "," +
                    kVerdictLoop + "-twin --repeat=6 --warmup=0 --seed=11 --json=" + json,
                120, kTwinSwitch);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  check_paired_rounds(nlohmann::json::parse(slurp(json)), 4);  // server CPU and p99 too
  std::remove(json.c_str());

  const auto bad = run_bench("tcp --loop=" + kVerdictLoop + " --reference=nosuch");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--reference: 'nosuch' is not one of the loops run") != std::string::npos);
  // One loop: nothing to compare, and no comparison printed.
  const auto one = run_bench("tcp --loop=" + kVerdictLoop + " --total=8MiB --repeat=2 --warmup=0");
  CHECK(one.exit_code == 0);
  CHECK(one.out.find("round by round") == std::string::npos);
}

TEST_CASE(
    "bench verdicts: bench ws compares codecs, and a peer with our client, in the same rounds") {
  const bool websockets =
      std::system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") == 0;
  const std::string json = temp_path("verdicts-ws.json");
  const auto r = run_bench(std::string("ws --direction=download --loop=") + kVerdictLoop +
                               " --codec=native,wslay" + (websockets ? " --peers=websockets" : "") +
                               " --total=4MiB --repeat=6 --warmup=1 --seed=11 --json=" + json,
                           300);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(slurp(json));
  std::remove(json.c_str());
  // Every row, the peers' too, measured once in each of the 6 rounds,
  // with the built-in server's CPU over each.
  std::size_t peer_rows = 0;
  for (const auto& run : doc.at("runs")) {
    INFO(run.dump().substr(0, 1500));
    if (run.value("client", "loopbench") != "loopbench") ++peer_rows;
    std::set<int> rounds;
    for (const auto& rep : run.at("repeats")) {
      rounds.insert(rep.at("round").get<int>());
      CHECK(rep.at("server_cpu_s").get<double>() > 0);
    }
    CHECK(rounds == std::set<int>{1, 2, 3, 4, 5, 6});
  }
  CHECK(peer_rows == (websockets ? 2u : 0u));  // asyncio and uvloop
  std::map<std::string, std::size_t> by_kind;
  for (const auto& c : doc.at("comparisons")) {
    INFO(c.dump());
    ++by_kind[c.at("against").get<std::string>()];
    CHECK(c.at("rounds") == 6);
    CHECK(c.contains("ratio"));
    if (c.at("against") == "codec") {
      CHECK(c.at("row") == kVerdictLoop + " wslay");
      CHECK(c.at("reference") == kVerdictLoop + " native");
    }
    if (c.at("against") == "client") CHECK(c.at("reference") == kVerdictLoop + " native");
  }
  // Throughput, client CPU and server CPU per GiB for each pair.
  CHECK(by_kind["codec"] == 3);
  CHECK(by_kind["client"] == (websockets ? 6u : 0u));
  CHECK(by_kind.count("loop") == 0);  // one loop
  CHECK(r.out.find("the same loop's native codec (codecs)") != std::string::npos);
  if (websockets) {
    CHECK(r.out.find("our client on " + kVerdictLoop + " (peers)") != std::string::npos);
    CHECK(r.out.find("(" + kVerdictLoop + " native)") != std::string::npos);  // vs ours
  }
}

}  // namespace lb::test
