#include <fmt/core.h>

#include <algorithm>

#include "tools/options/options.hpp"
#include "tools/options/size.hpp"
#include "tools/report/comparisons.hpp"
#include "tools/report/matrix/report.hpp"
#include "tools/report/matrix/report_rows.hpp"
#include "tools/report/matrix/svg_charts.hpp"

namespace lb {
namespace {

constexpr const char* kStyle =
    "body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:1100px}"
    "h1{font-size:20px}h2{font-size:17px;margin-top:28px}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:right;vertical-align:top;white-space:nowrap}"
    "td:first-child,td:nth-child(2),th{text-align:left}"
    "table.facts td{text-align:left;white-space:normal}table.facts "
    "td:first-child{color:#555;white-space:nowrap}"
    "code{font-size:13px;word-break:break-all}"
    ".chart{display:block;margin:12px 0;max-width:100%;height:auto}"
    ".title{font-weight:bold;font-size:13px}.label{font-size:12px}"
    ".value,.small,.legend{font-size:11px;fill:#333}.tick{font-size:11px;fill:#555;"
    "text-anchor:middle}.tick.first{text-anchor:start}.unit{font-size:11px;fill:#555;text-anchor:"
    "end}"
    ".grid{stroke:#e4e4e4}.axis{stroke:#888}"
    ".bar{fill:#9c755f}.bar.epoll{fill:#4e79a7}.bar.libuv{fill:#f28e2b}.bar.uring{fill:#59a14f}"
    ".whisker{stroke:#111;stroke-width:1.5}"
    ".lat0{fill:#9ecae1}.lat1{fill:#6baed6}.lat2{fill:#3182bd}.lat3{fill:#08519c}"
    ".old{fill:#b8b8b8}.new{fill:#4e79a7}"
    ".regression{color:#b00;fill:#b00;font-weight:bold}"
    ".band{fill:#e8e8e8}.one{stroke:#555;stroke-dasharray:3 3}.ci{stroke-width:2.5}"
    ".better{stroke:#2e7d32;fill:#2e7d32;color:#2e7d32}.worse{stroke:#c62828;fill:#c62828;"
    "color:#c62828}.same{stroke:#1565c0;fill:#1565c0;color:#1565c0}"
    ".undecided{stroke:#b8860b;fill:#b8860b;color:#8a6508}"
    "text.better,text.worse,text.same,text.undecided{stroke:none}";

// A bar's colour: its loop for our three, one colour for everything else
// (peers, a test twin).
std::string bar_class(const ReportRow& r) {
  const std::string loop = r.loop.substr(0, r.loop.find(' '));
  return loop == "epoll" || loop == "libuv" || loop == "uring" ? loop : "other";
}

std::string row_label(const ReportRow& r) {
  return r.group + " · " + r.loop;
}

std::vector<Bar> throughput_bars(const std::vector<ReportRow>& rows) {
  std::vector<Bar> bars;
  for (const auto& r : rows) {
    Bar b{row_label(r), bar_class(r), {}, {}, {}, figure_text(r)};
    if (!r.failed) b.value = r.median, b.low = r.min, b.high = r.max;
    bars.push_back(std::move(b));
  }
  return bars;
}

std::vector<Bar> cpu_bars(const std::vector<ReportRow>& rows) {
  std::vector<Bar> bars;
  for (const auto& r : rows) {
    Bar b{row_label(r), bar_class(r), {}, {}, {}, r.failed ? figure_text(r) : row_cpu_text(r)};
    if (!r.failed) b.value = r.cpu;
    bars.push_back(std::move(b));
  }
  return bars;
}

std::vector<LatencyRow> latency_rows(const std::vector<ReportRow>& rows) {
  std::vector<LatencyRow> out;
  for (const auto& r : rows) {
    LatencyRow l{row_label(r), {}};
    if (!r.failed && r.latency.is_object())
      for (const char* key : {"p50", "p90", "p99", "p999"})
        l.percentiles.push_back(r.latency.value(key, 0.0));
    out.push_back(std::move(l));
  }
  return out;
}

std::string fact_row(const std::string& name, const std::string& value, bool code = false) {
  return "<tr><td>" + html_escaped(name) + "</td><td>" + (code ? "<code>" : "") +
         html_escaped(value) + (code ? "</code>" : "") + "</td></tr>\n";
}

// How the run was made: the command, the version, the machine and the
// matrix's parameters, so that the page says what it measured.
std::string facts_table(const nlohmann::json& doc) {
  std::string h = "<div class=\"scroll\"><table class=\"facts\">\n";
  if (doc.contains("command")) h += fact_row("command", doc["command"].get<std::string>(), true);
  h += fact_row("started", doc.value("started", "?"));
  const auto tool = doc.value("tool", nlohmann::json::object());
  h += fact_row("loopbench",
                fmt::format("{} (git {})", tool.value("version", "?"), tool.value("git", "?")));
  const auto machine = doc.value("machine", nlohmann::json::object());
  h += fact_row("machine", fmt::format("{}, {} cores, kernel {}", machine.value("cpu", "?"),
                                       machine.value("cores", 0), machine.value("kernel", "?")));
  std::string libs;
  const auto libraries = machine.value("libs", nlohmann::json::object());
  for (const auto& [name, version] : libraries.items())
    libs += (libs.empty() ? "" : ", ") + name + " " +
            (version.is_string() ? version.get<std::string>() : version.dump());
  if (!libs.empty()) h += fact_row("libraries", libs);
  if (doc.contains("matrix")) {
    const auto& m = doc["matrix"];
    const auto list = [](const nlohmann::json& j) {
      std::string out;
      for (const auto& v : j)
        out += (out.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
      return out;
    };
    h += fact_row("profile", m.value("profile", "?"));
    h += fact_row("rounds", fmt::format("{} ({}; stopped by {})", m.value("rounds", 0),
                                        order_text(doc), m.value("stopped", "?")));
    h += fact_row("scenarios", list(m.value("scenarios", nlohmann::json::array())));
    h += fact_row("loops", list(m.value("loops", nlohmann::json::array())) + "; reference " +
                               reference_of(doc));
    h += fact_row("codecs", list(m.value("codecs", nlohmann::json::array())));
    const auto cpu = [](int c) {
      return c < 0 ? std::string("unpinned") : "CPU " + std::to_string(c);
    };
    h += fact_row("pinning", fmt::format("server {}, client {}", cpu(m.value("server_cpu", -1)),
                                         cpu(m.value("client_cpu", -1))));
    h += fact_row("margin of same", fmt::format("± {:g} %", m.value("margin", 0.03) * 100));
    h += fact_row("peers", m.value("peers", false) ? "yes" : "no");
  }
  return h + "</table></div>\n";
}

std::string baseline_unit(const RowComparison& v) {
  if (v.metric == "req_per_s") return v.bench == "echo" ? "msgs/s" : "req/s";
  return v.bench == "stream" ? "MiB/s" : "Gbit/s";
}

double baseline_scale(const RowComparison& v) {
  if (v.metric == "req_per_s") return 1;
  return v.bench == "stream" ? 1.0 / (1 << 20) : 8.0 / 1e9;
}

// For each bench, the old run's median beside the new one's.
std::string baseline_charts(const std::vector<RowComparison>& verdicts) {
  std::vector<std::string> benches;
  for (const auto& v : verdicts)
    if (std::find(benches.begin(), benches.end(), v.bench) == benches.end())
      benches.push_back(v.bench);
  std::string h;
  for (const auto& bench : benches) {
    std::vector<OldNewBars> rows;
    std::string unit;
    for (const auto& v : verdicts) {
      if (v.bench != bench || v.verdict == Verdict::only_old || v.verdict == Verdict::only_new)
        continue;
      unit = baseline_unit(v);
      const double scale = baseline_scale(v);
      rows.push_back(
          {fmt::format("{} {}{} · {}{}", v.mode, format_bytes(v.size_bytes),
                       v.variant.empty() ? "" : " " + v.variant, v.loop, v.tls ? " (TLS)" : ""),
           v.old_value.median * scale, v.new_value.median * scale,
           fmt::format("{} ({:+.1f} %)", verdict_name(v.verdict), v.change_pct),
           v.verdict == Verdict::regression});
    }
    if (!rows.empty())
      h += old_new_chart(bench + ": baseline and this run, " + unit + " (medians)", unit, rows);
  }
  return h;
}

}  // namespace

std::string matrix_html(const nlohmann::json& doc, const std::vector<RowComparison>& verdicts) {
  const auto rows = report_rows(doc, verdicts);
  std::string h = std::string(
                      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width\">"
                      "<title>bench matrix</title><style>\n") +
                  kStyle + "\n</style></head><body>\n";
  h += "<h1>bench matrix — " + html_escaped(doc.value("started", "")) + "</h1>\n";
  if (doc.value("interrupted", false))
    h += "<p class=\"regression\">Interrupted (Ctrl-C): partial, every step that finished.</p>\n";
  h += facts_table(doc);
  h += "<p>Bars are medians over the rounds, whiskers min–max; CPU is the client's. " +
       html_escaped(verdict_legend(doc)) + "</p>\n";
  h += "<p>Ratio charts: the dot is the ratio, the line its 95 % interval, the grey band 1 ± "
       "the margin; <span class=\"better\">faster / less CPU / lower p99</span>, <span "
       "class=\"worse\">slower / more CPU / higher p99</span>, <span class=\"same\">same</span>, "
       "<span class=\"undecided\">undecided</span>.</p>\n";
  const auto comparisons = comparisons_from_json(doc);
  const double margin = doc.value("matrix", nlohmann::json::object()).value("margin", 0.03);
  for (const auto& scenario : scenarios_in(rows)) {
    const auto mine = of_scenario(rows, scenario);
    h += "<h2 id=\"" + html_escaped(scenario) + "\">" + html_escaped(scenario) + "</h2>\n";
    h += bar_chart(scenario + ": throughput, " + mine.front().unit + " (median, min–max)",
                   mine.front().unit, throughput_bars(mine));
    h += bar_chart(scenario + ": " + mine.front().cpu_unit + " (median)", mine.front().cpu_unit,
                   cpu_bars(mine));
    if (has_latency_chart(scenario))
      h += latency_chart(scenario + ": latency percentiles, µs", latency_rows(mine));
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
        std::vector<RatioMark> marks;
        for (const auto& c : shown)
          marks.push_back(
              {c.group + " · " + c.row +
                   (std::string(against) == "loop" ? std::string() : " vs " + c.reference),
               c.interval, verdict_class(c),
               c.interval ? comparison_text(c) : "undecided: " + c.why});
        h += ratio_chart(
            fmt::format("{}: {} vs {} (ratio, 95 % interval)", scenario, metric.label, vs), marks,
            margin);
      }
    const bool server = has_server_cpu(scenario);
    h += "<div class=\"scroll\"><table><tr><th>what</th><th>loop</th><th>" +
         html_escaped(mine.front().unit) + "</th><th>" + html_escaped(mine.front().cpu_unit) +
         "</th>" + (server ? "<th>server CPU µs/msg</th>" : "") +
         "<th>loop lag p99 / max ms</th><th>vs " + html_escaped(reference_of(doc)) +
         "</th><th>CPU vs " + html_escaped(reference_of(doc)) + "</th>" +
         (verdicts.empty() ? "" : "<th>baseline</th>") + "</tr>\n";
    for (const auto& r : mine) {
      h += "<tr><td>" + html_escaped(r.group) + "</td><td>" + html_escaped(r.loop) + "</td><td>" +
           html_escaped(figure_text(r)) + "</td><td>" + html_escaped(row_cpu_text(r)) +
           "</td><td>" + (server ? html_escaped(server_cpu_text(r)) + "</td><td>" : "") +
           html_escaped(lag_text(r)) + "</td><td class=\"" + r.vs_class + "\">" +
           html_escaped(vs_text(r.vs_reference)) + "</td><td class=\"" + r.cpu_vs_class + "\">" +
           html_escaped(vs_text(r.cpu_vs_reference)) + "</td>";
      if (!verdicts.empty())
        h += std::string("<td") +
             (r.verdict.rfind("REGRESSION", 0) == 0 ? " class=\"regression\"" : "") + ">" +
             html_escaped(r.verdict) + "</td>";
      h += "</tr>\n";
    }
    h += "</table></div>\n";
    if (const auto more = comparison_lines(comparisons, scenario); !more.empty()) {
      h += "<p>More comparisons, round by round:</p><ul>\n";
      for (const auto& line : more)
        h += "<li>" + html_escaped(line) + "</li>\n";
      h += "</ul>\n";
    }
  }
  if (const auto disturbed = disturbed_lines(doc); !disturbed.empty()) {
    h += "<p>" + html_escaped(kDisturbedHeading) + ":</p><ul>\n";
    for (const auto& line : disturbed)
      h += "<li>" + html_escaped(line) + "</li>\n";
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
    h += baseline_charts(verdicts);
    const auto missing = missing_row_lines(verdicts);
    if (!missing.empty()) {
      h += "<p>Rows on one side only:</p><ul>\n";
      for (const auto& line : missing)
        h += "<li>" + html_escaped(line) + "</li>\n";
      h += "</ul>\n";
    }
  }
  return h + "</body></html>\n";
}

}  // namespace lb
