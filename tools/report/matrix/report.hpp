#pragma once
// The matrix's human outputs from its results document: summary.md (one
// table per scenario: rows are loops, codecs and peers, with median
// [min-max], CPU cost per operation, loop lag, the comparison with the
// reference loop and, with a baseline, the verdict; the other comparisons
// listed under it) and report.html (html_report.cpp: one self-contained
// page, inline CSS and SVG charts, no script, nothing fetched: how the run
// was made, then per scenario its charts and table).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/report/baseline.hpp"

namespace lb {

// `verdicts` may be empty (no baseline).
std::string matrix_markdown(const nlohmann::json& doc, const std::vector<RowComparison>& verdicts);
std::string matrix_html(const nlohmann::json& doc, const std::vector<RowComparison>& verdicts);
// SVG charts report.html holds for `doc` (a baseline's aside): two per
// scenario (throughput, CPU cost), one more for http and echo (latency
// percentiles), and one per scenario, kind of pair and metric compared
// (ratios with their intervals).
int matrix_chart_count(const nlohmann::json& doc);

}  // namespace lb
