#include "tools/report/matrix/rounds.hpp"

#include <algorithm>
#include <cstdlib>

#include "tools/options/usage_error.hpp"

namespace lb {

RoundsPlan::RoundsPlan(const std::string& rounds, int max_rounds, double time_budget_s) {
  if (rounds == "auto") {
    until_decided_ = true;
    time_budget_s_ = time_budget_s;
    if (time_budget_s < 0) throw UsageError("--time-budget: expected seconds, 0 for none");
    looks_ = look_schedule(max_rounds);
    if (looks_.rounds.empty())
      throw UsageError("--max-rounds: at least " + std::to_string(rounds_for_level()) +
                       " rounds, the fewest that give a 95 % interval");
    return;
  }
  char* end = nullptr;
  const long n = std::strtol(rounds.c_str(), &end, 10);
  if (rounds.empty() || *end != '\0' || n < 1 || n > 100000)
    throw UsageError("--rounds: expected auto or a number of rounds of at least 1, got '" + rounds +
                     "'");
  looks_.rounds = {static_cast<int>(n)};
  looks_.level_per_look = 0.95;
}

bool RoundsPlan::is_look(int round) const {
  return std::find(looks_.rounds.begin(), looks_.rounds.end(), round) != looks_.rounds.end();
}

bool RoundsPlan::budget_allows(int next, double elapsed_s) const {
  if (!until_decided_ || time_budget_s_ <= 0 || next <= 1) return true;
  return elapsed_s + elapsed_s / (next - 1) <= time_budget_s_;
}

nlohmann::json RoundsPlan::to_json() const {
  nlohmann::json j = {{"mode", until_decided_ ? "auto" : "fixed"},
                      {"looks", looks_.rounds},
                      {"level_per_look", looks_.level_per_look}};
  if (until_decided_) {
    j["max_rounds"] = most();
    j["time_budget_s"] = time_budget_s_;
  }
  return j;
}

}  // namespace lb
