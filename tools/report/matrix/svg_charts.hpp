#pragma once
// The SVG charts of report.html: inline, no script, nothing fetched, each
// kChartWidth px wide so that a page 800 px wide shows it whole. Every
// label sits on its own line above its bars, so no label is clipped
// whatever its length; each chart has an x axis with its unit, ticks and
// gridlines, and its values beside the bars. Colours come from the page's
// CSS classes (html_report.cpp).
#include <optional>
#include <string>
#include <vector>

#include "engine/statistics/comparison.hpp"

namespace lb {

inline constexpr int kChartWidth = 720;

// One bar: a median with its min-max whisker (optional), or a failed row
// (no value: only its text).
struct Bar {
  std::string label;  // "download 1 GiB · epoll native"
  std::string css;    // the bar's class: its loop (epoll, libuv, uring) or "other"
  std::optional<double> value, low, high;
  std::string text;  // beside the bar: "13.88 [12.81–50.80]", "FAILED"
};
std::string bar_chart(const std::string& title, const std::string& unit,
                      const std::vector<Bar>& bars);

// Latency percentiles of one row, µs; empty for a row without them.
struct LatencyRow {
  std::string label;
  std::vector<double> percentiles;  // p50, p90, p99, p99.9
};
std::string latency_chart(const std::string& title, const std::vector<LatencyRow>& rows);

// One comparison: its ratio with the interval on a log scale, coloured by
// its verdict's class (better, worse, same, undecided).
struct RatioMark {
  std::string label;
  std::optional<RatioInterval> interval;
  std::string css;
  std::string text;  // "1.29x [1.19–1.41] faster", or why it is undecided
};
std::string ratio_chart(const std::string& title, const std::vector<RatioMark>& marks,
                        double margin);

// A baseline's row: the old run's median above the new one's.
struct OldNewBars {
  std::string label;
  double old_value = 0, new_value = 0;
  std::string text;  // the verdict: "REGRESSION (-12.0 %)"
  bool regression = false;
};
std::string old_new_chart(const std::string& title, const std::string& unit,
                          const std::vector<OldNewBars>& rows);

// Escaped for HTML and SVG text.
std::string html_escaped(const std::string& s);

}  // namespace lb
