#include "tools/report/loop_verdicts.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "tools/common/usage_error.hpp"

namespace lb {

std::string reference_loop(const std::vector<std::string>& loops, const std::string& asked) {
  const auto ran = [&](const std::string& loop) {
    return std::find(loops.begin(), loops.end(), loop) != loops.end();
  };
  if (asked.empty()) return ran("epoll") || loops.empty() ? "epoll" : loops.front();
  if (!ran(asked))
    throw UsageError("--reference: '" + asked + "' is not one of the loops run (" +
                     fmt::format("{}", fmt::join(loops, ", ")) + ")");
  return asked;
}

LoopVerdicts judge_loops(const std::vector<RunResult>& runs, const std::vector<std::string>& loops,
                         const std::string& reference, double margin, std::uint64_t seed) {
  LoopVerdicts v{reference, margin, seed, {}};
  if (loops.size() < 2) return v;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& run : runs)
    rows.push_back(run_to_json(run));
  v.comparisons = compare_loops(rows, reference, margin);
  return v;
}

std::string LoopVerdicts::text() const {
  if (comparisons.empty()) return {};
  std::string out = fmt::format(
      "\nvs {}, round by round (rounds in a shuffled order, --seed={}): the Hodges-Lehmann ratio "
      "[95 % interval]; same: the interval within 1 ± {:g} %; faster/slower: it excludes 1; "
      "undecided: neither (docs/statistics.md)\n",
      reference, seed, margin * 100);
  std::size_t group_width = 5, loop_width = 4;
  for (const auto& c : comparisons) {
    group_width = std::max(group_width, c.group.size());
    loop_width = std::max(loop_width, c.loop.size());
  }
  out += fmt::format("{:<{}}  {:<{}}  {:<12}  {}\n", "what", group_width, "loop", loop_width,
                     "metric", "ratio [95 %] verdict");
  for (const auto& c : comparisons)
    out += fmt::format("{:<{}}  {:<{}}  {:<12}  {}\n", c.group, group_width, c.loop, loop_width,
                       c.metric == "cpu_per_op" ? "CPU per op" : c.metric,
                       c.interval ? comparison_text(c) : "undecided: " + c.why);
  return out;
}

nlohmann::json LoopVerdicts::json() const {
  if (comparisons.empty()) return nlohmann::json::object();
  return {{"comparisons", comparisons_json(comparisons)},
          {"verdicts",
           {{"reference", reference},
            {"margin", margin},
            {"seed", seed},
            {"order",
             "rounds; in each round every row runs once, in an order shuffled for each "
             "round with the seed"}}}};
}

}  // namespace lb
