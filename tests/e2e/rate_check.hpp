#pragma once
// Checks a paced rate on every loop, with up to three runs per loop.
// A paced rate is a figure of the machine as much as of the code: on a
// shared machine one stall of the client or of the server (100 ms in a 2 s
// run, seen in CI) makes 5 % of the slots late. A pacer that is wrong
// misses in every run; a stall misses in one.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"

namespace lb::test {

// What a run missed, one line each; empty when it met everything.
using Misses = std::vector<std::string>;

// `run` runs bench with the given --loop argument and returns its --json
// document; `misses` judges one of its runs. The first run covers every
// loop at once; a loop that missed runs again alone.
inline void check_rate_on_every_loop(
    const std::function<nlohmann::json(const std::string& loop_arg)>& run,
    const std::function<Misses(const nlohmann::json& run)>& misses) {
  constexpr int kTries = 3;
  std::map<std::string, Misses> missed;
  const auto doc = run("--loop=all");
  REQUIRE(doc.contains("runs"));
  REQUIRE(doc.at("runs").size() == compiled_loops().size());
  for (const auto& r : doc.at("runs"))
    missed[r.at("loop").get<std::string>()] = misses(r);
  for (auto& [loop, what] : missed) {
    for (int attempt = 2; attempt <= kTries && !what.empty(); ++attempt) {
      for (const auto& line : what)
        MESSAGE(loop << " missed in run " << attempt - 1 << ": " << line);
      const auto again = run("--loop=" + loop);
      REQUIRE(again.contains("runs"));
      REQUIRE(again.at("runs").size() == 1);
      what = misses(again.at("runs").at(0));
    }
    CAPTURE(loop);
    for (const auto& line : what)
      FAIL_CHECK("missed in all " << kTries << " runs: " << line);
  }
}

// One line for `misses` when `ok` is false.
inline void expect(Misses& m, bool ok, const std::string& what, const nlohmann::json& value) {
  if (!ok) m.push_back(what + " (" + value.dump() + ")");
}

}  // namespace lb::test
