#include "tools/report/matrix/report.hpp"

#include <fmt/core.h>

#include <set>
#include <tuple>

#include "tools/options/options.hpp"
#include "tools/report/comparisons.hpp"
#include "tools/report/matrix/report_rows.hpp"

namespace lb {

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
    std::string missing;
    for (const auto& line : missing_row_lines(verdicts))
      missing += "- " + line + "\n";
    md += "\n## Baseline\n\n";
    md += any_regression(verdicts) ? "**Regressions found** (exit code 3).\n" : "No regression.\n";
    if (!missing.empty()) md += "\nRows on one side only:\n\n" + missing;
  }
  return md;
}

}  // namespace lb
