#include "tools/report/baseline.hpp"

#include <fmt/core.h>

#include <map>
#include <stdexcept>
#include <tuple>

#include "tools/report/results.hpp"

namespace lb {
namespace {

using Key = std::tuple<std::string, std::string, std::string, std::uint64_t, bool, std::string>;

constexpr double kLevel = 0.95;

struct Row {
  std::string metric;
  std::vector<double> throughput, cpu_per_op;  // per repeat
};

std::map<Key, Row> rows_of(const nlohmann::json& doc, const char* which) {
  if (!doc.is_object() || !is_results_schema(doc.value("schema", "")) || !doc.contains("runs") ||
      !doc["runs"].is_array())
    throw std::runtime_error(std::string(which) +
                             " is not a loopbench results file (no \"schema\" loopbench.results/1 "
                             "or /2, or no \"runs\")");
  std::map<Key, Row> rows;
  for (const auto& run : doc["runs"]) {
    const std::string bench = run.at("bench");
    Row row;
    row.metric = bench == "http" || bench == "echo" ? "req_per_s" : "bytes_per_s";
    for (const auto& rep : run.value("repeats", nlohmann::json::array())) {
      const auto throughput = repeat_figure(run, rep, "throughput");
      if (!throughput) continue;  // a repeat that moved nothing
      row.throughput.push_back(*throughput);
      if (const auto cpu = repeat_figure(run, rep, "cpu_per_op")) row.cpu_per_op.push_back(*cpu);
    }
    if (row.throughput.empty()) continue;  // a failed run
    rows[{bench, run.at("mode"), row_label(run), run.value("size_bytes", std::uint64_t{0}),
          run.value("tls", false), row_variant(run)}] = row;
  }
  return rows;
}

void judge_row(RowComparison& c, const Row& o, const Row& n, double threshold) {
  c.old_repeats = static_cast<int>(o.throughput.size());
  c.new_repeats = static_cast<int>(n.throughput.size());
  c.interval = ratio_interval_unpaired(o.throughput, n.throughput, kLevel);
  c.cpu_interval = ratio_interval_unpaired(o.cpu_per_op, n.cpu_per_op, kLevel);
  c.cpu_judgement = judge(c.cpu_interval, threshold, true);
  if (!c.interval) {
    c.change_pct = c.old_value.median > 0 ? (c.new_value.median / c.old_value.median - 1) * 100 : 0;
    c.verdict = Verdict::undecided;
    c.why = fmt::format(
        "{} old and {} new repeats give no 95 % interval (4 and 4, or 3 and 5, "
        "at least{})",
        c.old_repeats, c.new_repeats,
        c.old_repeats == 1 ? ": a single-repeat baseline cannot show its noise" : "");
    return;
  }
  c.change_pct = (c.interval->ratio - 1) * 100;
  switch (judge(c.interval, threshold, false)) {
    case Judgement::same:
      c.verdict = Verdict::same;
      break;
    case Judgement::better:
      c.verdict = c.interval->ratio > 1 + threshold ? Verdict::improvement : Verdict::faster;
      break;
    case Judgement::worse:
      c.verdict = c.interval->ratio < 1 - threshold ? Verdict::regression : Verdict::slower;
      break;
    case Judgement::undecided:
      c.verdict = Verdict::undecided;
      c.why = fmt::format("interval {:.2f}–{:.2f} holds 1 and leaves 1 ± {:g} %", c.interval->low,
                          c.interval->high, threshold * 100);
      break;
  }
}

}  // namespace

std::vector<RowComparison> compare_results(const nlohmann::json& old_doc,
                                           const nlohmann::json& new_doc, double threshold_pct) {
  const auto old_rows = rows_of(old_doc, "the baseline");
  const auto new_rows = rows_of(new_doc, "the new results");
  std::vector<RowComparison> out;
  auto base = [](const Key& k, const Row& r) {
    RowComparison c;
    std::tie(c.bench, c.mode, c.loop, c.size_bytes, c.tls, c.variant) = k;
    c.metric = r.metric;
    return c;
  };
  for (const auto& [key, o] : old_rows) {
    RowComparison c = base(key, o);
    c.old_value = spread_of(o.throughput);
    const auto it = new_rows.find(key);
    if (it == new_rows.end()) {
      c.verdict = Verdict::only_old;
    } else {
      c.new_value = spread_of(it->second.throughput);
      judge_row(c, o, it->second, threshold_pct / 100);
    }
    out.push_back(c);
  }
  for (const auto& [key, n] : new_rows) {
    if (old_rows.count(key)) continue;
    RowComparison c = base(key, n);
    c.new_value = spread_of(n.throughput);
    c.verdict = Verdict::only_new;
    out.push_back(c);
  }
  return out;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::regression:
      return "REGRESSION";
    case Verdict::improvement:
      return "improvement";
    case Verdict::slower:
      return "slower, within the threshold";
    case Verdict::faster:
      return "faster, within the threshold";
    case Verdict::same:
      return "same";
    case Verdict::undecided:
      return "undecided";
    case Verdict::only_old:
      return "missing in new";
    case Verdict::only_new:
      return "new row";
  }
  return "?";
}

bool any_regression(const std::vector<RowComparison>& rows) {
  for (const auto& r : rows)
    if (r.verdict == Verdict::regression) return true;
  return false;
}

std::size_t shared_rows(const std::vector<RowComparison>& rows) {
  std::size_t n = 0;
  for (const auto& r : rows)
    n += r.verdict != Verdict::only_old && r.verdict != Verdict::only_new;
  return n;
}

}  // namespace lb
