#include "tools/report/matrix/report_rows.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "engine/statistics/stats.hpp"
#include "tools/options/options.hpp"
#include "tools/options/size.hpp"
#include "tools/report/results.hpp"

namespace lb {
namespace {

double server_cpu_per_message(const nlohmann::json& run) {
  std::vector<double> us;
  for (const auto& rep : run.at("repeats"))
    if (rep.contains("server_cpu_s") && rep.value("requests", 0.0) > 0)
      us.push_back(rep["server_cpu_s"].get<double>() * 1e6 / rep["requests"].get<double>());
  return us.empty() ? -1 : spread_of(us).median;
}

}  // namespace

// The CSS class of a verdict: better, worse, same or undecided.
std::string verdict_class(const Comparison& c) {
  switch (c.judgement) {
    case Judgement::better:
      return "better";
    case Judgement::worse:
      return "worse";
    case Judgement::same:
      return "same";
    case Judgement::undecided:
      break;
  }
  return "undecided";
}

std::vector<ReportRow> report_rows(const nlohmann::json& doc,
                                   const std::vector<RowComparison>& verdicts) {
  std::vector<ReportRow> rows;
  for (const auto& run : doc.at("runs")) {
    const auto& s = run.at("summary");
    ReportRow r;
    r.scenario = scenario_of(run);
    r.loop = row_label(run);
    const std::string bench = run.at("bench");
    const std::string mode = run.at("mode");
    const auto size = run.value("size_bytes", std::uint64_t{0});
    r.group = mode + " " + format_bytes(size);
    if (const auto variant = row_variant(run); !variant.empty()) r.group += " " + variant;
    r.failed = run.at("repeats").empty();
    if (run.contains("peer") && run["peer"].value("status", "") == "not installed")
      r.why_missing = "not installed: " + run["peer"].value("note", "");
    double scale = 1;
    const char* metric = "bytes_per_s";
    if (bench == "http" || bench == "echo") {
      metric = "req_per_s";
      r.unit = bench == "echo" ? "msgs/s" : "req/s";
      r.cpu_unit = bench == "echo" ? "CPU µs/msg" : "CPU µs/req";
      if (s.contains("cpu_us_per_req")) r.cpu = s["cpu_us_per_req"].value("median", 0.0);
      if (s.contains("latency_us")) r.latency = s["latency_us"];
      if (bench == "echo") r.server_cpu = server_cpu_per_message(run);
    } else {
      if (bench == "stream") {
        r.unit = "MiB/s";
        scale = 1.0 / (1 << 20);
      } else {
        r.unit = "Gbit/s";
        scale = 8.0 / 1e9;
      }
      r.cpu_unit = "CPU s/GiB";
      r.cpu = s.at("cpu_s_per_gib").value("median", 0.0);
    }
    if (!r.failed && s.contains(metric)) {
      r.median = s[metric].value("median", 0.0) * scale;
      r.min = s[metric].value("min", 0.0) * scale;
      r.max = s[metric].value("max", 0.0) * scale;
    }
    if (s.contains("loop_lag_ms")) {
      r.lag_p99 = s["loop_lag_ms"].value("p99", 0.0);
      r.lag_max = s["loop_lag_ms"].value("max", 0.0);
    }
    for (const auto& v : verdicts)
      if (v.bench == bench && v.mode == mode && v.loop == r.loop && v.size_bytes == size &&
          v.tls == run.value("tls", false) && v.variant == row_variant(run))
        r.verdict = fmt::format("{} ({:+.1f}%)", verdict_name(v.verdict), v.change_pct);
    rows.push_back(std::move(r));
  }
  const auto comparisons = comparisons_from_json(doc);
  for (auto& r : rows)
    for (const auto& c : comparisons) {
      // The table's columns are against the reference loop; the rest are
      // listed under it (comparison_lines).
      if (c.against != "loop" || c.scenario != r.scenario || c.group != r.group) continue;
      if (c.reference == r.loop) r.vs_reference = r.cpu_vs_reference = "reference";
      if (c.row != r.loop) continue;
      if (c.metric == "throughput") {
        r.vs_reference = comparison_text(c);
        r.vs_class = verdict_class(c);
      }
      if (c.metric == "cpu_per_op") {
        r.cpu_vs_reference = comparison_text(c);
        r.cpu_vs_class = verdict_class(c);
      }
    }
  return rows;
}

std::vector<std::string> scenarios_in(const std::vector<ReportRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows)
    if (std::find(out.begin(), out.end(), r.scenario) == out.end()) out.push_back(r.scenario);
  return out;
}

std::string lag_text(const ReportRow& r) {
  return r.failed || r.lag_p99 < 0 ? "-" : fmt::format("{:.1f} / {:.1f}", r.lag_p99, r.lag_max);
}

std::string figure_text(const ReportRow& r) {
  if (!r.why_missing.empty()) return r.why_missing;
  if (r.failed) return "FAILED";
  const char* f = r.unit == "Gbit/s" ? "{:.2f} [{:.2f}–{:.2f}]" : "{:.0f} [{:.0f}–{:.0f}]";
  return fmt::format(fmt::runtime(f), r.median, r.min, r.max);
}

std::string vs_text(const std::string& text) {
  return text.empty() ? "-" : text;
}

// The reference loop the document's comparisons are against.
std::string reference_of(const nlohmann::json& doc) {
  return doc.value("matrix", nlohmann::json::object()).value("reference", std::string("epoll"));
}

// How the steps of a round were ordered.
std::string order_text(const nlohmann::json& doc) {
  const auto m = doc.value("matrix", nlohmann::json::object());
  if (!m.contains("seed")) return "loops interleaved in each round";
  return fmt::format("loops in a shuffled order in each round (--seed={})",
                     m["seed"].get<std::uint64_t>());
}

// What a reader needs to read the verdict columns.
std::string verdict_legend(const nlohmann::json& doc) {
  const auto m = doc.value("matrix", nlohmann::json::object());
  return fmt::format(
      "\"vs {0}\": each round's ratio to {0} in the same round, as the Hodges-Lehmann estimate "
      "[{2:g} % interval, exact Wilcoxon signed-rank]; same: the whole interval within 1 ± {1:g} "
      "%; faster/slower (less/more CPU): the interval excludes 1; undecided: neither.{3}",
      reference_of(doc), m.value("margin", 0.03) * 100, m.value("level", 0.95) * 100,
      m.value("rounds_plan", nlohmann::json::object()).value("mode", "") == "auto"
          ? fmt::format(" Rounds until decided: {}, stopped by {}; the level is split "
                        "over the looks planned at rounds {}.",
                        counted(m.value("rounds", std::uint64_t{0}), "round"),
                        m.value("stopped", "?"),
                        m["rounds_plan"].value("looks", nlohmann::json::array()).dump())
          : "");
}

// The rounds the machine disturbed, one line each, for the footer; empty
// when none was.
std::vector<std::string> disturbed_lines(const nlohmann::json& doc) {
  std::vector<std::string> lines;
  const auto m = doc.value("matrix", nlohmann::json::object());
  for (const auto& f : m.value("flagged_rounds", nlohmann::json::array())) {
    std::string why;
    for (const auto& w : f.value("why", nlohmann::json::array()))
      why += (why.empty() ? "" : "; ") + w.get<std::string>();
    lines.push_back(
        fmt::format("{} round {}: {} — {}", f.value("scenario", "?"), f.value("round", 0), why,
                    f.value("action", "") == "repeated" ? "run again, the second try counts"
                                                        : "disturbed again, kept"));
  }
  return lines;
}

const char* const kDisturbedHeading =
    "Disturbed rounds: a calibration probe, a wait for a CPU or steal far beyond the run's "
    "usual (docs/statistics.md); the first try's steps stay in steps/";

std::string row_cpu_text(const ReportRow& r) {
  if (r.failed) return "-";
  return r.cpu_unit == "CPU s/GiB" ? fmt::format("{:.3f}", r.cpu) : fmt::format("{:.1f}", r.cpu);
}

// The codec codec comparisons are against: "native" of "uring native".
std::string reference_codec_of(const std::vector<Comparison>& cs) {
  const std::string& ref = cs.front().reference;
  return ref.substr(ref.rfind(' ') + 1);
}

// The comparisons of `scenario` the table's columns do not show (p99 and
// server CPU against the reference loop; codecs; peers), one line each:
// "download 1 GiB · uring wslay vs uring native · throughput 0.81x
// [0.74–0.88] slower".
std::vector<std::string> comparison_lines(const std::vector<Comparison>& comparisons,
                                          const std::string& scenario) {
  std::vector<std::string> out;
  for (const auto& c : comparisons) {
    if (c.scenario != scenario) continue;
    if (c.against == "loop" && (c.metric == "throughput" || c.metric == "cpu_per_op")) continue;
    out.push_back(fmt::format("{} · {} vs {} · {} {}", c.group, c.row, c.reference,
                              compared_metric(c.metric).label,
                              c.interval ? comparison_text(c) : "undecided: " + c.why));
  }
  return out;
}

std::string server_cpu_text(const ReportRow& r) {
  return r.failed || r.server_cpu < 0 ? "-" : fmt::format("{:.1f}", r.server_cpu);
}

// Echo rows say what the server spent per message: the fairest loop figure
// at equal load (an open-loop row).
bool has_server_cpu(const std::string& scenario) {
  return scenario.rfind("echo-", 0) == 0;
}

// Request/response scenarios have latency histograms.
bool has_latency_chart(const std::string& scenario) {
  return scenario == "http" || scenario.rfind("echo-", 0) == 0;
}

// One scenario's rows, grouped by what was measured (in first-seen order),
// loops in the order they ran inside each group.
std::vector<ReportRow> of_scenario(const std::vector<ReportRow>& rows,
                                   const std::string& scenario) {
  std::vector<ReportRow> out;
  std::vector<std::string> groups;
  for (const auto& r : rows)
    if (r.scenario == scenario && std::find(groups.begin(), groups.end(), r.group) == groups.end())
      groups.push_back(r.group);
  for (const auto& g : groups)
    for (const auto& r : rows)
      if (r.scenario == scenario && r.group == g) out.push_back(r);
  return out;
}

std::vector<std::string> missing_row_lines(const std::vector<RowComparison>& verdicts) {
  std::vector<std::string> out;
  for (const auto& v : verdicts) {
    if (v.verdict != Verdict::only_old && v.verdict != Verdict::only_new) continue;
    out.push_back(fmt::format("{} {}{} {} {} tls={}: {}", v.bench, v.mode,
                              v.variant.empty() ? "" : " " + v.variant, v.loop,
                              format_bytes(v.size_bytes), v.tls, verdict_name(v.verdict)));
  }
  return out;
}

}  // namespace lb
