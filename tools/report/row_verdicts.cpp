#include "tools/report/row_verdicts.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "tools/options/usage_error.hpp"

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

RowVerdicts judge_rows(const std::vector<RunResult>& runs, const std::string& reference,
                       double margin, std::uint64_t seed) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& run : runs)
    rows.push_back(run_to_json(run));
  return {reference, margin, seed, compare_rows(rows, reference, margin)};
}

std::string RowVerdicts::text() const {
  if (comparisons.empty()) return {};
  const auto has = [&](const char* against) {
    return std::any_of(comparisons.begin(), comparisons.end(),
                       [&](const Comparison& c) { return c.against == against; });
  };
  std::vector<std::string> references;
  if (has("loop")) references.push_back(reference + " (loops)");
  if (has("codec")) {
    const auto& c = *std::find_if(comparisons.begin(), comparisons.end(),
                                  [](const Comparison& x) { return x.against == "codec"; });
    references.push_back("the same loop's " + c.reference.substr(c.reference.rfind(' ') + 1) +
                         " codec (codecs)");
  }
  if (has("client")) references.push_back("our client on " + reference + " (peers)");
  std::string out = fmt::format(
      "\nround by round (rounds in a shuffled order, --seed={}): each row against {}, as the "
      "Hodges-Lehmann ratio [95 % interval]; same: the interval within 1 ± {:g} %; "
      "faster/slower: it excludes 1; undecided: neither (docs/statistics.md)\n",
      seed, fmt::join(references, ", "), margin * 100);
  std::size_t group_width = 4, row_width = 3, reference_width = 2, metric_width = 6;
  for (const auto& c : comparisons) {
    group_width = std::max(group_width, c.group.size());
    row_width = std::max(row_width, c.row.size());
    reference_width = std::max(reference_width, c.reference.size());
    metric_width = std::max(metric_width, compared_metric(c.metric).label.size());
  }
  const auto line = [&](const std::string& group, const std::string& row, const std::string& ref,
                        std::string_view metric, const std::string& verdict) {
    return fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", group, group_width, row, row_width,
                       ref, reference_width, metric, metric_width, verdict);
  };
  out += line("what", "row", "vs", "metric", "ratio [95 %] verdict");
  for (const auto& c : comparisons)
    out += line(c.group, c.row, c.reference, compared_metric(c.metric).label,
                c.interval ? comparison_text(c) : "undecided: " + c.why);
  return out;
}

nlohmann::json RowVerdicts::json() const {
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
