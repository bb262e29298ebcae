#pragma once
// The matrix's human outputs from its results document: summary.md (one
// table per scenario: rows are loops, with median [min-max], CPU cost per
// operation, loop lag, the ratio to the best loop and, with a baseline, the
// verdict) and report.html (one self-contained file: inline CSS and SVG bar
// charts with min-max whiskers, no script, nothing fetched).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/report/baseline.hpp"

namespace lb {

// `verdicts` may be empty (no baseline).
std::string matrix_markdown(const nlohmann::json& doc, const std::vector<RowComparison>& verdicts);
std::string matrix_html(const nlohmann::json& doc, const std::vector<RowComparison>& verdicts);
// SVG charts report.html holds for `doc`: two per scenario (throughput, CPU
// cost), one more for http and echo (latency percentiles), and one per
// scenario and metric that compares loops (ratios with their intervals).
int matrix_chart_count(const nlohmann::json& doc);

}  // namespace lb
