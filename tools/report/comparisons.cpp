#include "tools/report/comparisons.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "tools/options/options.hpp"
#include "tools/options/size.hpp"
#include "tools/report/results.hpp"

namespace lb {
namespace {

std::map<int, double> by_round(const nlohmann::json& run, const std::string& metric) {
  std::map<int, double> out;
  for (const auto& rep : run.value("repeats", nlohmann::json::array()))
    if (const int round = rep.value("round", 0); round > 0)
      if (const auto f = repeat_figure(run, rep, metric)) out[round] = *f;
  return out;
}

bool ours(const nlohmann::json& run) {
  return run.value("client", "loopbench") == "loopbench" && !run.contains("peer");
}

// What makes two rows the same workload: everything but the loop, codec
// and client (those are what the kinds of comparison set against each
// other).
using Workload = std::tuple<std::string, std::string, std::uint64_t, bool, std::string, std::string,
                            std::string>;
Workload workload_of(const nlohmann::json& run) {
  const auto params = run.value("params", nlohmann::json::object());
  return {scenario_of(run),
          run.value("mode", ""),
          run.value("size_bytes", std::uint64_t{0}),
          run.value("tls", false),
          row_variant(run),
          params.value("http_version", std::string()),
          params.contains("server") ? params["server"].dump() : std::string()};
}

// A row's name in a comparison: our blocking clients (sync, threads) run
// on no loop of ours ("none"), so they are named as ours.
std::string pair_label(const nlohmann::json& run) {
  const std::string label = row_label(run);
  return ours(run) && label == "none" ? "loopbench" : label;
}

// Every metric of `row` against `reference`, round by round.
void compare_pair(const char* against, const nlohmann::json& row, const nlohmann::json& reference,
                  double margin, double level, std::vector<Comparison>& out) {
  for (const auto& m : compared_metrics()) {
    const std::string metric(m.name);
    const auto mine = by_round(row, metric), theirs = by_round(reference, metric);
    // Neither row has it (p99 of tcp), or one lacks a figure only some
    // rows have (server CPU of a peer); a row with no throughput failed,
    // which leaves its comparison undecided.
    if (mine.empty() && theirs.empty()) continue;
    if ((mine.empty() || theirs.empty()) && metric != "throughput") continue;
    std::vector<double> ratios;
    for (const auto& [round, value] : mine)
      if (const auto t = theirs.find(round); t != theirs.end()) ratios.push_back(value / t->second);
    Comparison c;
    c.against = against;
    c.scenario = scenario_of(row);
    c.group = comparison_group(row);
    c.row = pair_label(row);
    c.reference = pair_label(reference);
    c.metric = metric;
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

}  // namespace

std::string comparison_group(const nlohmann::json& run) {
  // A transfer for a time (tcp -d) has no size: it is named by its time.
  const auto params = run.value("params", nlohmann::json::object());
  const auto size = run.value("size_bytes", std::uint64_t{0});
  std::string g = run.value("mode", "") + " " +
                  (size == 0 && params.contains("duration_s")
                       ? fmt::format("{:g} s", params["duration_s"].get<double>())
                       : format_bytes(size));
  if (const auto v = row_variant(run); !v.empty()) g += " " + v;
  return g;
}

const std::vector<ComparedMetric>& compared_metrics() {
  static const std::vector<ComparedMetric> all = {
      {"throughput", "throughput", false, "faster", "slower"},
      {"cpu_per_op", "CPU per op", true, "less CPU", "more CPU"},
      {"server_cpu_per_op", "server CPU per op", true, "less server CPU", "more server CPU"},
      {"p99", "p99", true, "lower p99", "higher p99"}};
  return all;
}

const ComparedMetric& compared_metric(std::string_view name) {
  const auto& all = compared_metrics();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const auto& m) { return m.name == name; });
  return it == all.end() ? all.front() : *it;
}

std::string reference_codec(const nlohmann::json& runs) {
  std::string first;
  for (const auto& run : runs) {
    if (!ours(run)) continue;
    const std::string codec = run.value("codec", "");
    if (codec == "native") return codec;
    if (first.empty()) first = codec;
  }
  return first;
}

std::vector<Comparison> compare_rows(const nlohmann::json& runs, const std::string& reference_loop,
                                     double margin, double level) {
  const std::string ref_codec = reference_codec(runs);
  // The reference rows: of the loop (by workload and codec), of the codec
  // (by workload and loop), and for peers our row on the reference loop
  // and codec (or the one that runs on no loop of ours: libcurl's sync).
  std::map<std::pair<Workload, std::string>, const nlohmann::json*> by_loop, by_codec;
  std::map<Workload, const nlohmann::json*> for_peers;
  for (const auto& run : runs) {
    if (!ours(run)) continue;
    const auto w = workload_of(run);
    const std::string loop = run.value("loop", ""), codec = run.value("codec", "");
    if (loop == reference_loop) by_loop[{w, codec}] = &run;
    if (!codec.empty() && codec == ref_codec) by_codec[{w, loop}] = &run;
    if ((loop == reference_loop || loop == "none") && (codec.empty() || codec == ref_codec))
      for_peers.try_emplace(w, &run);
  }
  std::vector<Comparison> out;
  for (const auto& run : runs) {
    const auto w = workload_of(run);
    if (!ours(run)) {
      // A peer that could not run has nothing to compare.
      if (run.value("peer", nlohmann::json::object()).value("status", "") == "not installed")
        continue;
      if (const auto ref = for_peers.find(w); ref != for_peers.end())
        compare_pair("client", run, *ref->second, margin, level, out);
      continue;
    }
    const std::string loop = run.value("loop", ""), codec = run.value("codec", "");
    if (loop != reference_loop)
      if (const auto ref = by_loop.find({w, codec}); ref != by_loop.end())
        compare_pair("loop", run, *ref->second, margin, level, out);
    if (!codec.empty() && codec != ref_codec)
      if (const auto ref = by_codec.find({w, loop}); ref != by_codec.end())
        compare_pair("codec", run, *ref->second, margin, level, out);
  }
  return out;
}

std::string judgement_word(const Comparison& c) {
  const auto& m = compared_metric(c.metric);
  switch (c.judgement) {
    case Judgement::same:
      return "same";
    case Judgement::undecided:
      return "undecided";
    case Judgement::better:
      return std::string(m.better);
    case Judgement::worse:
      return std::string(m.worse);
  }
  return "undecided";
}

std::string comparison_text(const Comparison& c) {
  if (!c.interval) return fmt::format("undecided ({} paired rounds)", c.paired_rounds);
  return fmt::format("{:.2f}x [{:.2f}–{:.2f}] {}", c.interval->ratio, c.interval->low,
                     c.interval->high, judgement_word(c));
}

nlohmann::json comparisons_json(const std::vector<Comparison>& comparisons) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : comparisons) {
    nlohmann::json j = {{"against", c.against},
                        {"scenario", c.scenario},
                        {"group", c.group},
                        {"row", c.row},
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

std::vector<Comparison> comparisons_from_json(const nlohmann::json& doc) {
  std::vector<Comparison> out;
  for (const auto& j : doc.value("comparisons", nlohmann::json::array())) {
    Comparison c;
    c.against = j.value("against", "loop");
    c.scenario = j.value("scenario", "");
    c.group = j.value("group", "");
    c.row = j.value("row", j.value("loop", ""));  // "loop" before codecs and peers were compared
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
    const auto& m = compared_metric(c.metric);
    c.judgement = v == "same"     ? Judgement::same
                  : v == m.better ? Judgement::better
                  : v == m.worse  ? Judgement::worse
                                  : Judgement::undecided;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace lb
