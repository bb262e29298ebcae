#pragma once
// How many rounds `bench matrix` runs: a number fixed by the user (one
// analysis at the end, 95 % intervals), or rounds until decided
// (--rounds=auto): after each round of a schedule fixed in advance
// (engine/statistics/comparison.hpp's look_schedule), the comparisons are made; the
// matrix stops once every one is decided, at --max-rounds, or before a
// round that would overrun --time-budget. The level is split over the
// planned looks, so stopping early leaves every interval honest.
#include <string>

#include <nlohmann/json.hpp>

#include "engine/statistics/comparison.hpp"

namespace lb {

class RoundsPlan {
 public:
  // `rounds`: "auto" or a number of rounds (UsageError otherwise);
  // `max_rounds` and `time_budget_s` (0: none) apply to "auto" only.
  RoundsPlan(const std::string& rounds, int max_rounds, double time_budget_s);

  bool until_decided() const { return until_decided_; }
  int most() const { return looks_.rounds.back(); }
  double level() const { return looks_.level_per_look; }
  bool is_look(int round) const;
  // Before round `next` (> 1), `elapsed_s` after the rounds before it:
  // whether the budget leaves room for one more round of the mean length.
  bool budget_allows(int next, double elapsed_s) const;
  // {"mode", "max_rounds", "time_budget_s", "looks", "level_per_look"}.
  nlohmann::json to_json() const;

 private:
  bool until_decided_ = false;
  double time_budget_s_ = 0;
  LookSchedule looks_;
};

}  // namespace lb
