#include "tools/report/comparisons.hpp"

#include <fmt/core.h>

#include <map>
#include <tuple>

#include "tools/common/options.hpp"
#include "tools/common/size.hpp"
#include "tools/report/results.hpp"

namespace lb {
namespace {

struct Metric {
  const char* name;
  bool lower_is_better;
};
constexpr Metric kMetrics[] = {{"throughput", false}, {"cpu_per_op", true}, {"p99", true}};

std::map<int, double> by_round(const nlohmann::json& run, const std::string& metric) {
  std::map<int, double> out;
  for (const auto& rep : run.value("repeats", nlohmann::json::array()))
    if (const int round = rep.value("round", 0); round > 0)
      if (const auto f = repeat_figure(run, rep, metric)) out[round] = *f;
  return out;
}

// Rows that are compared with each other: everything but the loop.
using PairKey = std::tuple<std::string, std::string, std::uint64_t, bool, std::string, std::string>;
PairKey pair_key(const nlohmann::json& run) {
  return {scenario_of(run),        run.value("mode", ""), run.value("size_bytes", std::uint64_t{0}),
          run.value("tls", false), row_variant(run),      run.value("codec", "")};
}

std::string group_of(const nlohmann::json& run) {
  std::string g =
      run.value("mode", "") + " " + format_bytes(run.value("size_bytes", std::uint64_t{0}));
  if (const auto v = row_variant(run); !v.empty()) g += " " + v;
  return g;
}

bool ours(const nlohmann::json& run) {
  return run.value("client", "loopbench") == "loopbench" && !run.contains("peer");
}

}  // namespace

std::vector<LoopComparison> compare_loops(const nlohmann::json& runs, const std::string& reference,
                                          double margin, double level) {
  std::map<PairKey, const nlohmann::json*> references;
  for (const auto& run : runs)
    if (ours(run) && run.value("loop", "") == reference) references[pair_key(run)] = &run;
  std::vector<LoopComparison> out;
  for (const auto& run : runs) {
    if (!ours(run) || run.value("loop", "") == reference) continue;
    const auto ref = references.find(pair_key(run));
    if (ref == references.end()) continue;
    for (const auto& m : kMetrics) {
      const auto mine = by_round(run, m.name), theirs = by_round(*ref->second, m.name);
      if (mine.empty() && theirs.empty()) continue;  // neither row measures it (p99 of tcp)
      std::vector<double> ratios;
      for (const auto& [round, value] : mine)
        if (const auto t = theirs.find(round); t != theirs.end())
          ratios.push_back(value / t->second);
      LoopComparison c;
      c.scenario = scenario_of(run);
      c.group = group_of(run);
      c.loop = row_label(run);
      c.reference = row_label(*ref->second);
      c.metric = m.name;
      c.paired_rounds = static_cast<int>(ratios.size());
      c.interval = ratio_interval(ratios, level);
      c.judgement = judge(c.interval, margin, m.lower_is_better);
      if (!c.interval)
        c.why = fmt::format("{} paired round{}; {} give a {:g} % interval", c.paired_rounds,
                            c.paired_rounds == 1 ? "" : "s", rounds_for_level(level), level * 100);
      else if (c.judgement == Judgement::undecided)
        c.why = fmt::format("interval {:.2f}–{:.2f} holds 1 and leaves 1 ± {:g} % after {}",
                            c.interval->low, c.interval->high, margin * 100,
                            counted(static_cast<std::uint64_t>(c.paired_rounds), "round"));
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::string judgement_word(const LoopComparison& c) {
  switch (c.judgement) {
    case Judgement::same:
      return "same";
    case Judgement::undecided:
      return "undecided";
    case Judgement::better:
      return c.metric == "throughput"   ? "faster"
             : c.metric == "cpu_per_op" ? "less CPU"
                                        : "lower p99";
    case Judgement::worse:
      return c.metric == "throughput"   ? "slower"
             : c.metric == "cpu_per_op" ? "more CPU"
                                        : "higher p99";
  }
  return "undecided";
}

std::string comparison_text(const LoopComparison& c) {
  if (!c.interval) return fmt::format("undecided ({} paired rounds)", c.paired_rounds);
  return fmt::format("{:.2f}x [{:.2f}–{:.2f}] {}", c.interval->ratio, c.interval->low,
                     c.interval->high, judgement_word(c));
}

nlohmann::json comparisons_json(const std::vector<LoopComparison>& comparisons) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : comparisons) {
    nlohmann::json j = {{"scenario", c.scenario},
                        {"group", c.group},
                        {"loop", c.loop},
                        {"reference", c.reference},
                        {"metric", c.metric},
                        {"rounds", c.paired_rounds},
                        {"method", "hodges-lehmann, exact wilcoxon signed-rank interval"},
                        {"verdict", judgement_word(c)}};
    if (c.interval)
      j.update({{"ratio", c.interval->ratio},
                {"low", c.interval->low},
                {"high", c.interval->high},
                {"confidence", c.interval->confidence}});
    if (!c.why.empty()) j["why"] = c.why;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<LoopComparison> comparisons_from_json(const nlohmann::json& doc) {
  std::vector<LoopComparison> out;
  for (const auto& j : doc.value("comparisons", nlohmann::json::array())) {
    LoopComparison c;
    c.scenario = j.value("scenario", "");
    c.group = j.value("group", "");
    c.loop = j.value("loop", "");
    c.reference = j.value("reference", "");
    c.metric = j.value("metric", "");
    c.paired_rounds = j.value("rounds", 0);
    c.why = j.value("why", "");
    if (j.contains("ratio")) {
      RatioInterval r;
      r.ratio = j.value("ratio", 1.0);
      r.low = j.value("low", 1.0);
      r.high = j.value("high", 1.0);
      r.confidence = j.value("confidence", 0.0);
      r.rounds = c.paired_rounds;
      c.interval = r;
    }
    const std::string v = j.value("verdict", "undecided");
    c.judgement = v == "same"                                             ? Judgement::same
                  : v == "faster" || v == "less CPU" || v == "lower p99"  ? Judgement::better
                  : v == "slower" || v == "more CPU" || v == "higher p99" ? Judgement::worse
                                                                          : Judgement::undecided;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace lb
