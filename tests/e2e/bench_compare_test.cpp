// `bench compare` on a real results file: against itself nothing regressed
// (exit 0); against a copy whose repeats took four times as long (or more,
// below the row's whole range) every row regressed (exit 3); files that
// share no row, or a file that is not a results file, are bad input
// (exit 2); a single-repeat baseline is undecided, and says why.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace lb::test {

TEST_CASE("bench compare: same file unchanged, quartered throughput regressed, bad input refused") {
  const std::string base = temp_path("base.json"), slow = temp_path("slow.json"),
                    junk = temp_path("junk.json");
  const auto r = run_bench("ws --loop=all --total=8MiB --repeat=5 --warmup=0 --json=" + base);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);

  const auto same = run_bench("compare " + base + " " + base);
  INFO(same.out << same.err);
  CHECK(same.exit_code == 0);
  CHECK(same.out.find("no regression") != std::string::npos);

  auto doc = nlohmann::json::parse(slurp(base));
  // A quarter, or less when a repeat's noise spread the row wider than 4x
  // (a cold first repeat here once gave 600-2489 MiB/s): the slowed
  // repeats must all fall below the original ones, or the interval rightly
  // holds more than a regression.
  for (auto& run : doc["runs"]) {
    auto& rate = run["summary"]["bytes_per_s"];
    const double spread = rate["max"].get<double>() / std::max(rate["min"].get<double>(), 1.0);
    const double factor = std::max(4.0, 2 * spread);
    for (auto& rep : run["repeats"])
      rep["duration_s"] = rep["duration_s"].get<double>() * factor;
  }
  std::ofstream(slow) << doc.dump();
  const auto slowed = run_bench("compare " + base + " " + slow);
  INFO(slowed.out << slowed.err);
  CHECK(slowed.exit_code == 3);
  CHECK(slowed.out.find("regressions found") != std::string::npos);
  CHECK(slowed.out.find("\nundecided:") == std::string::npos);  // every row decided

  // A row the new run does not have (one loop is all a libuv-only build has).
  auto wider = nlohmann::json::parse(slurp(base));
  wider["runs"].push_back(wider["runs"][0]);
  wider["runs"].back()["loop"] = "elsewhere";
  std::ofstream(slow) << wider.dump();
  const auto missing = run_bench("compare " + slow + " " + base);
  CHECK(missing.exit_code == 0);
  CHECK(missing.out.find("missing in new") != std::string::npos);

  // Nothing in common: every row's loop renamed.
  auto other = nlohmann::json::parse(slurp(base));
  for (auto& run : other["runs"])
    run["loop"] = "elsewhere";
  std::ofstream(slow) << other.dump();
  const auto disjoint = run_bench("compare " + base + " " + slow);
  CHECK(disjoint.exit_code == 2);
  CHECK(disjoint.err.find("share no row") != std::string::npos);

  // One repeat shows no noise: undecided, exit 0, and the reason.
  const auto single = run_bench(std::string("ws --loop=") + LOOPBENCH_FIRST_BACKEND +
                                " --total=8MiB --repeat=1 --warmup=0 --json=" + slow);
  REQUIRE_MESSAGE(single.exit_code == 0, single.err);
  const auto one = run_bench("compare " + slow + " " + base);
  INFO(one.out << one.err);
  CHECK(one.exit_code == 0);
  CHECK(one.out.find("a single-repeat baseline cannot show its noise") != std::string::npos);

  std::ofstream(junk) << "{\"not\": \"results\"}";
  const auto bad = run_bench("compare " + base + " " + junk);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("not a loopbench results file") != std::string::npos);
  CHECK(run_bench("compare " + base + " /nonexistent.json").exit_code == 2);
  for (const auto& p : {base, slow, junk})
    std::remove(p.c_str());
}

}  // namespace lb::test
