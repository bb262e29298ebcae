// `bench compare` on a real results file: against itself nothing changed
// (exit 0); against a copy whose throughput was cut to a quarter (or less,
// below the row's whole range) every row regressed
// (exit 3); a file that is not a results file is bad input (exit 2).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace lb::test {

TEST_CASE("bench compare: same file unchanged, quartered throughput regressed, bad input refused") {
  const std::string base = temp_path("base.json"), slow = temp_path("slow.json"),
                    junk = temp_path("junk.json");
  const auto r = run_bench("ws --loop=all --total=8MiB --repeat=3 --warmup=0 --json=" + base);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);

  const auto same = run_bench("compare " + base + " " + base);
  INFO(same.out << same.err);
  CHECK(same.exit_code == 0);
  CHECK(same.out.find("REGRESSION") == std::string::npos);

  auto doc = nlohmann::json::parse(slurp(base));
  // A quarter, or less when a repeat's noise spread the row wider than 4x
  // (a cold first repeat here once gave 600-2489 MiB/s): the slowed range
  // must not overlap the original, or the verdict rule rightly says
  // "unchanged".
  for (auto& run : doc["runs"]) {
    auto& rate = run["summary"]["bytes_per_s"];
    const double spread = rate["max"].get<double>() / std::max(rate["min"].get<double>(), 1.0);
    const double divisor = std::max(4.0, 2 * spread);
    for (const char* k : {"min", "median", "max"})
      rate[k] = rate[k].get<double>() / divisor;
  }
  std::ofstream(slow) << doc.dump();
  const auto halved = run_bench("compare " + base + " " + slow);
  INFO(halved.out << halved.err);
  CHECK(halved.exit_code == 3);
  CHECK(halved.out.find("REGRESSION") != std::string::npos);

  doc["runs"].erase(doc["runs"].begin());  // a row goes missing
  std::ofstream(slow) << doc.dump();
  const auto missing = run_bench("compare " + base + " " + slow);
  CHECK(missing.out.find("missing in new") != std::string::npos);

  std::ofstream(junk) << "{\"not\": \"results\"}";
  const auto bad = run_bench("compare " + base + " " + junk);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("not a loopbench.results/1 file") != std::string::npos);
  CHECK(run_bench("compare " + base + " /nonexistent.json").exit_code == 2);
  for (const auto& p : {base, slow, junk})
    std::remove(p.c_str());
}

}  // namespace lb::test
