#include "tools/report/baseline.hpp"

#include <map>
#include <stdexcept>
#include <tuple>

#include "tools/report/results.hpp"

namespace lb {
namespace {

using Key = std::tuple<std::string, std::string, std::string, std::uint64_t, bool, std::string>;

struct Row {
  std::string metric;
  Spread value;
};

Spread spread_from(const nlohmann::json& s) {
  return {s.at("min").get<double>(), s.at("median").get<double>(), s.at("max").get<double>()};
}

std::map<Key, Row> rows_of(const nlohmann::json& doc, const char* which) {
  if (!doc.is_object() || doc.value("schema", "") != "loopbench.results/1" ||
      !doc.contains("runs") || !doc["runs"].is_array())
    throw std::runtime_error(std::string(which) +
                             " is not a loopbench.results/1 file (no \"schema\" or \"runs\")");
  std::map<Key, Row> rows;
  for (const auto& run : doc["runs"]) {
    const auto& summary = run.at("summary");
    const std::string bench = run.at("bench");
    Row row;
    row.metric = bench == "http" && summary.contains("req_per_s") ? "req_per_s" : "bytes_per_s";
    if (!summary.contains(row.metric) || run.at("repeats").empty()) continue;  // failed run
    row.value = spread_from(summary.at(row.metric));
    rows[{bench, run.at("mode"), row_label(run), run.value("size_bytes", std::uint64_t{0}),
          run.value("tls", false), row_variant(run)}] = row;
  }
  return rows;
}

Verdict judge(const Spread& o, const Spread& n, double threshold_pct) {
  const double limit = threshold_pct / 100.0;
  if (n.median < o.median * (1 - limit) && n.max < o.min) return Verdict::regression;
  if (n.median > o.median * (1 + limit) && n.min > o.max) return Verdict::improvement;
  return Verdict::unchanged;
}

}  // namespace

std::vector<RowComparison> compare_results(const nlohmann::json& old_doc,
                                           const nlohmann::json& new_doc, double threshold_pct) {
  const auto old_rows = rows_of(old_doc, "the baseline");
  const auto new_rows = rows_of(new_doc, "the new results");
  std::vector<RowComparison> out;
  auto base = [](const Key& k) {
    RowComparison c;
    std::tie(c.bench, c.mode, c.loop, c.size_bytes, c.tls, c.variant) = k;
    return c;
  };
  for (const auto& [key, o] : old_rows) {
    RowComparison c = base(key);
    c.metric = o.metric;
    c.old_value = o.value;
    const auto it = new_rows.find(key);
    if (it == new_rows.end()) {
      c.verdict = Verdict::only_old;
    } else {
      c.new_value = it->second.value;
      c.change_pct = o.value.median > 0 ? (c.new_value.median / o.value.median - 1) * 100 : 0;
      c.verdict = judge(o.value, c.new_value, threshold_pct);
    }
    out.push_back(c);
  }
  for (const auto& [key, n] : new_rows) {
    if (old_rows.count(key)) continue;
    RowComparison c = base(key);
    c.metric = n.metric;
    c.new_value = n.value;
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
    case Verdict::unchanged:
      return "unchanged";
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

}  // namespace lb
