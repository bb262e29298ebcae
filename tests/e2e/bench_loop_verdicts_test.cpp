// Several loops in one measuring command: the rows run in paired rounds
// (every loop once per round, shuffled with --seed), and each loop is
// compared with the reference loop round by round, in the table and in
// --json. The test-only twin (LOOPBENCH_TEST_TWIN) gives every build two
// loops, even one with libuv alone.
#include <doctest/doctest.h>

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
    CHECK(c.at("loop") == kVerdictLoop + "-twin");
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
  CHECK(r.out.find("vs " + kVerdictLoop + ", round by round") != std::string::npos);
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
  check_paired_rounds(nlohmann::json::parse(slurp(json)), 3);  // and p99
  std::remove(json.c_str());

  const auto bad = run_bench("tcp --loop=" + kVerdictLoop + " --reference=nosuch");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--reference: 'nosuch' is not one of the loops run") != std::string::npos);
  // One loop: nothing to compare, and no comparison printed.
  const auto one = run_bench("tcp --loop=" + kVerdictLoop + " --total=8MiB --repeat=2 --warmup=0");
  CHECK(one.exit_code == 0);
  CHECK(one.out.find("round by round") == std::string::npos);
}

}  // namespace lb::test
