#include "tools/report/matrix/report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "tools/common/options.hpp"
#include "tools/common/size.hpp"
#include "tools/report/comparisons.hpp"
#include "tools/report/matrix/merge.hpp"
#include "tools/report/results.hpp"

namespace lb {
namespace {

struct ReportRow {
  std::string scenario, group, loop;
  std::string unit;  // of the throughput figures
  double median = 0, min = 0, max = 0;
  std::string cpu_unit;
  double cpu = 0;
  double server_cpu = -1;  // echo: the server's CPU µs per message, median over the rounds
  double lag_p99 = -1, lag_max = -1;
  // Against the reference loop's row, paired by round: "1.29x [1.19–1.41]
  // faster", "reference" for that row itself, empty where nothing compares.
  std::string vs_reference, cpu_vs_reference;
  std::string vs_class, cpu_vs_class;  // their verdicts' CSS classes
  std::string verdict;
  nlohmann::json latency;  // http: p50, p90, p99, p999, max (µs)
  bool failed = false;
  std::string why_missing;  // a peer that is not installed, and how to get it
};

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

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

double server_cpu_per_message(const nlohmann::json& run) {
  std::vector<double> us;
  for (const auto& rep : run.at("repeats"))
    if (rep.contains("server_cpu_s") && rep.value("requests", 0.0) > 0)
      us.push_back(rep["server_cpu_s"].get<double>() * 1e6 / rep["requests"].get<double>());
  return us.empty() ? -1 : spread_of(us).median;
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

constexpr const char* kDisturbedHeading =
    "Disturbed rounds: a calibration probe, a wait for a CPU or steal far beyond the run's "
    "usual (docs/statistics.md); the first try's steps stay in steps/";

std::string row_cpu_text(const ReportRow& r) {
  if (r.failed) return "-";
  return r.cpu_unit == "CPU s/GiB" ? fmt::format("{:.3f}", r.cpu) : fmt::format("{:.1f}", r.cpu);
}

// Horizontal bars with min-max whiskers; one bar per row.
std::string bar_chart(const std::string& title, const std::vector<ReportRow>& rows, bool cpu) {
  constexpr int kLabel = 190, kWidth = 460, kBar = 18, kGap = 8, kTop = 28;
  double top = 0;
  for (const auto& r : rows)
    top = std::max(top, cpu ? r.cpu : r.max);
  if (top <= 0) top = 1;
  const int height = kTop + static_cast<int>(rows.size()) * (kBar + kGap) + 10;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "class=\"chart\"><text x=\"0\" y=\"16\" class=\"title\">{}</text>\n",
      kLabel + kWidth + 190, height, esc(title));
  int y = kTop;
  for (const auto& r : rows) {
    const double value = cpu ? r.cpu : r.median;
    const double w = value / top * kWidth;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\">{} · {}</text>", kLabel - 6,
                       y + kBar - 5, esc(r.group), esc(r.loop));
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"bar {}\"/>",
                       kLabel, y, std::max(w, 0.5), kBar, esc(r.loop));
    if (!cpu && r.max > r.min) {
      const double x0 = kLabel + r.min / top * kWidth, x1 = kLabel + r.max / top * kWidth;
      const int mid = y + kBar / 2;
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{2}\" x2=\"{1:.1f}\" y2=\"{2}\" class=\"whisker\"/>"
          "<line x1=\"{0:.1f}\" y1=\"{3}\" x2=\"{0:.1f}\" y2=\"{4}\" class=\"whisker\"/>"
          "<line x1=\"{1:.1f}\" y1=\"{3}\" x2=\"{1:.1f}\" y2=\"{4}\" class=\"whisker\"/>",
          x0, x1, mid, y + 3, y + kBar - 3);
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"value\">{}</text>\n",
                       kLabel + std::max(w, cpu ? w : r.max / top * kWidth) + 6, y + kBar - 5,
                       r.failed ? (r.why_missing.empty() ? "failed" : "not installed")
                                : (cpu ? row_cpu_text(r) : figure_text(r)));
    y += kBar + kGap;
  }
  return svg + "</svg>\n";
}

// The codec codec comparisons are against: "native" of "uring native".
std::string reference_codec_of(const std::vector<Comparison>& cs) {
  const std::string& ref = cs.front().reference;
  return ref.substr(ref.rfind(' ') + 1);
}

// Each comparison's ratio as a dot on a log scale, its interval as a
// whisker, 1 as a line and 1 ± margin as a band, coloured by verdict.
std::string ratio_chart(const std::string& title, const std::vector<Comparison>& cs,
                        double margin) {
  constexpr int kLabel = 300, kWidth = 400, kRow = 20, kTop = 28;
  double lo = 1 - margin, hi = 1 + margin;
  for (const auto& c : cs)
    if (c.interval) {
      lo = std::min(lo, c.interval->low);
      hi = std::max(hi, c.interval->high);
    }
  lo = std::log(lo) - 0.05;
  hi = std::log(hi) + 0.05;
  const auto x = [&](double ratio) { return kLabel + (std::log(ratio) - lo) / (hi - lo) * kWidth; };
  const int height = kTop + static_cast<int>(cs.size()) * kRow + 24;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "class=\"chart\"><text x=\"0\" y=\"16\" class=\"title\">{}</text>\n",
      kLabel + kWidth + 200, height, esc(title));
  svg += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"band\"/>"
      "<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" class=\"one\"/>"
      "<text x=\"{:.1f}\" y=\"{}\" class=\"small\">1 ± {:g} %</text>\n",
      x(1 - margin), kTop - 4, x(1 + margin) - x(1 - margin), height - kTop - 16, x(1), kTop - 4,
      x(1), height - 20, x(1) - 20, height - 6, margin * 100);
  int y = kTop;
  for (const auto& c : cs) {
    const int mid = y + kRow / 2;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\">{} · {}</text>", kLabel - 6,
                       mid + 4, esc(c.group), esc(c.row));
    if (c.interval) {
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{2}\" x2=\"{1:.1f}\" y2=\"{2}\" class=\"ci {3}\"/>"
          "<circle cx=\"{4:.1f}\" cy=\"{2}\" r=\"4\" class=\"dot {3}\"/>",
          x(c.interval->low), x(c.interval->high), mid, verdict_class(c), x(c.interval->ratio));
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"value\">{}</text>",
                         x(c.interval->high) + 6, mid + 4, esc(comparison_text(c)));
    } else {
      svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"value\">{}</text>", kLabel + 4, mid + 4,
                         esc("undecided: " + c.why));
    }
    svg += "\n";
    y += kRow;
  }
  return svg + "</svg>\n";
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

std::string latency_chart(const std::vector<ReportRow>& rows) {
  // Grouped bars: p50, p90, p99, p999 per row, on one scale.
  static const char* kKeys[] = {"p50", "p90", "p99", "p999"};
  constexpr int kLabel = 190, kWidth = 460, kBar = 6, kTop = 28;
  double top = 0;
  for (const auto& r : rows)
    for (const char* k : kKeys)
      if (r.latency.is_object()) top = std::max(top, r.latency.value(k, 0.0));
  if (top <= 0) top = 1;
  const int per_row = 4 * kBar + 10;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "class=\"chart\"><text x=\"0\" y=\"16\" class=\"title\">latency µs: p50, p90, p99, "
      "p99.9 (top to bottom)</text>\n",
      kLabel + kWidth + 190, kTop + static_cast<int>(rows.size()) * per_row + 10);
  int y = kTop;
  for (const auto& r : rows) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\">{} · {}</text>", kLabel - 6,
                       y + 2 * kBar + 2, esc(r.group), esc(r.loop));
    for (int i = 0; i < 4; ++i) {
      const double v = r.latency.is_object() ? r.latency.value(kKeys[i], 0.0) : 0;
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"lat{}\"/>"
          "<text x=\"{:.1f}\" y=\"{}\" class=\"small\">{:.0f}</text>",
          kLabel, y + i * kBar, std::max(v / top * kWidth, 0.5), kBar - 1, i,
          kLabel + v / top * kWidth + 4, y + i * kBar + kBar - 1, v);
    }
    svg += "\n";
    y += per_row;
  }
  return svg + "</svg>\n";
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

std::string missing_rows_text(const std::vector<RowComparison>& verdicts, bool html) {
  std::string out;
  for (const auto& v : verdicts) {
    if (v.verdict != Verdict::only_old && v.verdict != Verdict::only_new) continue;
    const std::string line = fmt::format(
        "{} {}{} {} {} tls={}: {}", v.bench, v.mode, v.variant.empty() ? "" : " " + v.variant,
        v.loop, format_bytes(v.size_bytes), v.tls, verdict_name(v.verdict));
    out += html ? "<li>" + esc(line) + "</li>\n" : "- " + line + "\n";
  }
  return out;
}

}  // namespace

int matrix_chart_count(const nlohmann::json& doc) {
  const auto rows = report_rows(doc, {});
  int n = 0;
  for (const auto& s : scenarios_in(rows))
    n += has_latency_chart(s) ? 3 : 2;
  // A ratio chart per scenario, kind of pair and metric compared.
  std::set<std::tuple<std::string, std::string, std::string>> compared;
  for (const auto& c : comparisons_from_json(doc))
    compared.emplace(c.scenario, c.against, c.metric);
  return n + static_cast<int>(compared.size());
}

std::string matrix_markdown(const nlohmann::json& doc, const std::vector<RowComparison>& verdicts) {
  const auto rows = report_rows(doc, verdicts);
  const auto comparisons = comparisons_from_json(doc);
  std::string md = fmt::format("# bench matrix — {}\n\n", doc.value("started", ""));
  const auto& m = doc.value("machine", nlohmann::json::object());
  md += fmt::format("{}, {} cores, kernel {}. ", m.value("cpu", "?"), m.value("cores", 0),
                    m.value("kernel", "?"));
  if (doc.contains("matrix"))
    md += fmt::format("Profile {}, {}, {}.{}", doc["matrix"].value("profile", "?"),
                      counted(doc["matrix"].value("rounds", std::uint64_t{0}), "round"),
                      order_text(doc),
                      doc.value("interrupted", false)
                          ? " **Interrupted** (Ctrl-C): partial, every step that finished."
                          : "");
  md += "\nFigures are medians [min–max] over the rounds; CPU is the client's. " +
        verdict_legend(doc) + "\n";
  for (const auto& scenario : scenarios_in(rows)) {
    const auto mine = of_scenario(rows, scenario);
    const bool server = has_server_cpu(scenario);
    md += fmt::format(
        "\n## {}\n\n| what | loop | {} | {} |{} loop lag p99 / max ms | vs {} | CPU vs {} |{}\n",
        scenario, mine.front().unit, mine.front().cpu_unit, server ? " server CPU µs/msg |" : "",
        reference_of(doc), reference_of(doc), verdicts.empty() ? "" : " baseline |");
    md += fmt::format("|---|---|---:|---:|{}---:|---|---|{}\n", server ? "---:|" : "",
                      verdicts.empty() ? "" : "---|");
    for (const auto& r : mine)
      md +=
          fmt::format("| {} | {} | {} | {} |{} {} | {} | {} |{}\n", r.group, r.loop, figure_text(r),
                      row_cpu_text(r), server ? " " + server_cpu_text(r) + " |" : "", lag_text(r),
                      vs_text(r.vs_reference), vs_text(r.cpu_vs_reference),
                      verdicts.empty() ? "" : " " + r.verdict + " |");
    if (const auto more = comparison_lines(comparisons, scenario); !more.empty()) {
      md += "\nMore comparisons, round by round:\n\n";
      for (const auto& line : more)
        md += "- " + line + "\n";
    }
  }
  if (const auto disturbed = disturbed_lines(doc); !disturbed.empty()) {
    md += fmt::format("\n{}:\n\n", kDisturbedHeading);
    for (const auto& line : disturbed)
      md += "- " + line + "\n";
  }
  if (!verdicts.empty()) {
    const std::string missing = missing_rows_text(verdicts, false);
    md += "\n## Baseline\n\n";
    md += any_regression(verdicts) ? "**Regressions found** (exit code 3).\n" : "No regression.\n";
    if (!missing.empty()) md += "\nRows on one side only:\n\n" + missing;
  }
  return md;
}

std::string matrix_html(const nlohmann::json& doc, const std::vector<RowComparison>& verdicts) {
  const auto rows = report_rows(doc, verdicts);
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>bench matrix</title><style>\n"
      "body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:980px}"
      "h1{font-size:20px}h2{font-size:17px;margin-top:28px}"
      "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
      "text-align:right}td:first-child,td:nth-child(2),th{text-align:left}"
      ".chart{display:block;margin:10px 0}.title{font-weight:bold;font-size:13px}"
      ".label{text-anchor:end;font-size:12px}.value,.small{font-size:11px;fill:#333}"
      ".bar{fill:#7a9cc6}.bar.epoll{fill:#4e79a7}.bar.libuv{fill:#f28e2b}.bar.uring{fill:#59a14f}"
      ".whisker{stroke:#111;stroke-width:1.5}"
      ".lat0{fill:#9ecae1}.lat1{fill:#6baed6}.lat2{fill:#3182bd}.lat3{fill:#08519c}"
      ".regression{color:#b00;font-weight:bold}"
      ".band{fill:#e8e8e8}.one{stroke:#555;stroke-dasharray:3 3}.ci{stroke-width:2.5}"
      ".better{stroke:#2e7d32;fill:#2e7d32;color:#2e7d32}.worse{stroke:#c62828;fill:#c62828;"
      "color:#c62828}.same{stroke:#1565c0;fill:#1565c0;color:#1565c0}"
      ".undecided{stroke:#b8860b;fill:#b8860b;color:#8a6508}\n</style></head><body>\n";
  h += "<h1>bench matrix — " + esc(doc.value("started", "")) + "</h1>\n";
  const auto& m = doc.value("machine", nlohmann::json::object());
  h += "<p>" + esc(fmt::format("{}, {} cores, kernel {}", m.value("cpu", "?"), m.value("cores", 0),
                               m.value("kernel", "?")));
  if (doc.contains("matrix"))
    h += esc(fmt::format("; profile {}, {}, {}{}", doc["matrix"].value("profile", "?"),
                         counted(doc["matrix"].value("rounds", std::uint64_t{0}), "round"),
                         order_text(doc),
                         doc.value("interrupted", false)
                             ? "; interrupted (Ctrl-C): partial, every step that finished"
                             : ""));
  h += ". Bars are medians over the rounds, whiskers min–max; CPU is the client's. " +
       esc(verdict_legend(doc)) + "</p>\n";
  h += "<p>Ratio charts: the dot is the ratio to " + esc(reference_of(doc)) +
       ", the line its 95 % interval, the grey band 1 ± the margin; <span "
       "class=\"better\">faster / less CPU / lower p99</span>, <span class=\"worse\">slower / "
       "more CPU / higher p99</span>, <span class=\"same\">same</span>, <span "
       "class=\"undecided\">undecided</span>.</p>\n";
  const auto comparisons = comparisons_from_json(doc);
  const double margin = doc.value("matrix", nlohmann::json::object()).value("margin", 0.03);
  for (const auto& scenario : scenarios_in(rows)) {
    const auto mine = of_scenario(rows, scenario);
    h += "<h2>" + esc(scenario) + "</h2>\n";
    h += bar_chart(scenario + ": " + mine.front().unit + " (median, min–max)", mine, false);
    h += bar_chart(scenario + ": " + mine.front().cpu_unit, mine, true);
    if (has_latency_chart(scenario)) h += latency_chart(mine);
    for (const char* against : {"loop", "codec", "client"})
      for (const auto& metric : compared_metrics()) {
        std::vector<Comparison> shown;
        for (const auto& c : comparisons)
          if (c.scenario == scenario && c.against == against && c.metric == metric.name)
            shown.push_back(c);
        if (shown.empty()) continue;
        const std::string vs = std::string(against) == "loop" ? reference_of(doc)
                               : std::string(against) == "codec"
                                   ? "the same loop's " + reference_codec_of(shown)
                                   : "our client";
        h += ratio_chart(
            fmt::format("{}: {} vs {} (ratio, 95 % interval)", scenario, metric.label, vs), shown,
            margin);
      }
    const bool server = has_server_cpu(scenario);
    h += "<table><tr><th>what</th><th>loop</th><th>" + esc(mine.front().unit) + "</th><th>" +
         esc(mine.front().cpu_unit) + "</th>" + (server ? "<th>server CPU µs/msg</th>" : "") +
         "<th>loop lag p99 / max ms</th><th>vs " + esc(reference_of(doc)) + "</th><th>CPU vs " +
         esc(reference_of(doc)) + "</th>" + (verdicts.empty() ? "" : "<th>baseline</th>") +
         "</tr>\n";
    for (const auto& r : mine) {
      h += "<tr><td>" + esc(r.group) + "</td><td>" + esc(r.loop) + "</td><td>" +
           esc(figure_text(r)) + "</td><td>" + esc(row_cpu_text(r)) + "</td><td>" +
           (server ? esc(server_cpu_text(r)) + "</td><td>" : "") + esc(lag_text(r)) +
           "</td><td class=\"" + r.vs_class + "\">" + esc(vs_text(r.vs_reference)) +
           "</td><td class=\"" + r.cpu_vs_class + "\">" + esc(vs_text(r.cpu_vs_reference)) +
           "</td>";
      if (!verdicts.empty())
        h += std::string("<td") +
             (r.verdict.rfind("REGRESSION", 0) == 0 ? " class=\"regression\"" : "") + ">" +
             esc(r.verdict) + "</td>";
      h += "</tr>\n";
    }
    h += "</table>\n";
  }
  if (const auto disturbed = disturbed_lines(doc); !disturbed.empty()) {
    h += "<p>" + esc(kDisturbedHeading) + ":</p><ul>\n";
    for (const auto& line : disturbed)
      h += "<li>" + esc(line) + "</li>\n";
    h += "</ul>\n";
  }
  if (!verdicts.empty()) {
    h += "<h2>Baseline</h2>\n<p>" +
         std::string(any_regression(verdicts)
                         ? "<span class=\"regression\">Regressions found</span> (exit code 3)."
                         : "No regression.") +
         " A row regressed when the 95 % interval of its new/old throughput over the rounds "
         "(Hodges-Lehmann, exact Mann-Whitney) lies below 1 and the ratio is more than the "
         "threshold down.</p>\n";
    const std::string missing = missing_rows_text(verdicts, true);
    if (!missing.empty()) h += "<p>Rows on one side only:</p><ul>\n" + missing + "</ul>\n";
  }
  return h + "</body></html>\n";
}

}  // namespace lb
