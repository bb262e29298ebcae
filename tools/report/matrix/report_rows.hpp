#pragma once
// What summary.md and report.html show of a matrix results document: a
// row per run (a scenario's loop, codec or peer) with its figures and its
// comparison with the reference loop's row, and the words both reports
// share (report.cpp, html_report.cpp).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/report/baseline.hpp"
#include "tools/report/comparisons.hpp"

namespace lb {

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

// `verdicts`: a baseline's, or empty.
std::vector<ReportRow> report_rows(const nlohmann::json& doc,
                                   const std::vector<RowComparison>& verdicts);
// The scenarios in the order their rows come.
std::vector<std::string> scenarios_in(const std::vector<ReportRow>& rows);
// One scenario's rows, grouped by what was measured (in first-seen order),
// loops in the order they ran inside each group.
std::vector<ReportRow> of_scenario(const std::vector<ReportRow>& rows, const std::string& scenario);

std::string figure_text(const ReportRow& r);      // "13.88 [12.81–50.80]", FAILED, not installed
std::string row_cpu_text(const ReportRow& r);     // the client's CPU per op
std::string server_cpu_text(const ReportRow& r);  // echo: the server's µs per message
std::string lag_text(const ReportRow& r);         // "4.9 / 4.9"
std::string vs_text(const std::string& text);     // "-" for nothing
// The CSS class of a verdict: better, worse, same or undecided.
std::string verdict_class(const Comparison& c);

// The reference loop the document's comparisons are against.
std::string reference_of(const nlohmann::json& doc);
// How the steps of a round were ordered.
std::string order_text(const nlohmann::json& doc);
// What a reader needs to read the verdict columns.
std::string verdict_legend(const nlohmann::json& doc);
// The rounds the machine disturbed, one line each; empty when none was.
std::vector<std::string> disturbed_lines(const nlohmann::json& doc);
extern const char* const kDisturbedHeading;
// The comparisons of `scenario` the table's columns do not show (p99 and
// server CPU against the reference loop; codecs; peers), one line each.
std::vector<std::string> comparison_lines(const std::vector<Comparison>& comparisons,
                                          const std::string& scenario);
// The codec codec comparisons are against: "native" of "uring native".
std::string reference_codec_of(const std::vector<Comparison>& cs);
// Echo rows have the server's CPU per message; http and echo latencies.
bool has_server_cpu(const std::string& scenario);
bool has_latency_chart(const std::string& scenario);
// A baseline's rows present on one side only, one line each.
std::vector<std::string> missing_row_lines(const std::vector<RowComparison>& verdicts);

}  // namespace lb
