#include "tools/report/matrix/svg_charts.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace lb {
namespace {

constexpr int kLeft = 4;          // the plot's left edge
constexpr int kTitle = 18;        // the title's baseline
constexpr int kLabelHeight = 15;  // a label line above its bars
constexpr int kAxisHeight = 34;   // tick labels and the unit under the plot
constexpr double kCharWidth = 7;  // a generous average at 12 px sans-serif, for the legend

std::string svg_open(int height, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" role=\"img\" class=\"chart\"><title>{2}</title><text x=\"0\" y=\"{3}\" "
      "class=\"title\">{2}</text>\n",
      kChartWidth, height, html_escaped(title), kTitle);
}

// A step of 1, 2 or 5 times a power of ten that splits [0, top] into at
// most about five intervals.
double nice_step(double top) {
  const double raw = top / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  const double n = raw / magnitude;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
}

std::string tick_text(double v, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return fmt::format("{:.{}f}", v, decimals);
}

// A linear x axis from 0 to `axis_max` over [kLeft, right]: gridlines from
// `top` to `bottom`, tick labels and the unit under it. The first label
// starts at its tick ("tick first"), where a centred one would be cut.
std::string linear_axis(double axis_max, double step, int right, int top, int bottom,
                        const std::string& unit) {
  std::string svg;
  for (double v = 0; v <= axis_max * (1 + 1e-9); v += step) {
    const double x = kLeft + v / axis_max * (right - kLeft);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" class=\"{5}\">{4}</text>",
        x, top, bottom, bottom + 13, tick_text(v, step), v == 0 ? "tick first" : "tick");
  }
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" class=\"axis\"/>"
      "<text x=\"{1}\" y=\"{3}\" class=\"unit\">{4}</text>\n",
      kLeft, right, bottom, bottom + 27, html_escaped(unit));
  return svg;
}

// The classes the bars use, each once, as coloured squares with names.
std::string legend(const std::vector<std::pair<std::string, std::string>>& entries, int y) {
  std::string svg;
  double x = kLeft;
  for (const auto& [css, name] : entries) {
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"10\" height=\"10\" class=\"{}\"/>"
        "<text x=\"{:.1f}\" y=\"{}\" class=\"legend\">{}</text>",
        x, y - 9, css, x + 14, y, html_escaped(name));
    x += 14 + kCharWidth * static_cast<double>(name.size()) + 16;
  }
  return svg + "\n";
}

}  // namespace

std::string html_escaped(const std::string& s) {
  std::string out;
  for (const char c : s) {
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

std::string bar_chart(const std::string& title, const std::string& unit,
                      const std::vector<Bar>& bars) {
  constexpr int kRight = 540, kBar = 14, kRow = kLabelHeight + kBar + 8, kTop = 44;
  double top = 0;
  std::vector<std::pair<std::string, std::string>> classes;
  for (const auto& b : bars) {
    top = std::max({top, b.value.value_or(0), b.high.value_or(0)});
    const bool seen = std::any_of(classes.begin(), classes.end(),
                                  [&](const auto& c) { return c.first == "bar " + b.css; });
    if (!seen) classes.emplace_back("bar " + b.css, b.css == "other" ? "other clients" : b.css);
  }
  const double step = nice_step(top > 0 ? top : 1);
  const double axis_max = std::ceil((top > 0 ? top : 1) / step - 1e-9) * step;
  const auto x = [&](double v) { return kLeft + v / axis_max * (kRight - kLeft); };
  const int bottom = kTop + static_cast<int>(bars.size()) * kRow;
  std::string svg = svg_open(bottom + kAxisHeight, title) + legend(classes, 34);
  svg += linear_axis(axis_max, step, kRight, kTop - 4, bottom, unit);
  int y = kTop;
  for (const auto& b : bars) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\">{}</text>", kLeft, y + 11,
                       html_escaped(b.label));
    const int bar_y = y + kLabelHeight;
    double end = kLeft;
    if (b.value) {
      end = x(*b.value);
      svg +=
          fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"bar {}\"/>",
                      kLeft, bar_y, std::max(end - kLeft, 0.5), kBar, b.css);
    }
    if (b.low && b.high && *b.high > *b.low) {
      const double x0 = x(*b.low), x1 = x(*b.high);
      const int mid = bar_y + kBar / 2;
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{2}\" x2=\"{1:.1f}\" y2=\"{2}\" class=\"whisker\"/>"
          "<line x1=\"{0:.1f}\" y1=\"{3}\" x2=\"{0:.1f}\" y2=\"{4}\" class=\"whisker\"/>"
          "<line x1=\"{1:.1f}\" y1=\"{3}\" x2=\"{1:.1f}\" y2=\"{4}\" class=\"whisker\"/>",
          x0, x1, mid, bar_y + 2, bar_y + kBar - 2);
      end = std::max(end, x1);
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"value\">{}</text>\n", end + 6,
                       bar_y + kBar - 3, html_escaped(b.text));
    y += kRow;
  }
  return svg + "</svg>\n";
}

std::string latency_chart(const std::string& title, const std::vector<LatencyRow>& all) {
  static const char* kNames[] = {"p50", "p90", "p99", "p99.9"};
  constexpr int kRight = 560, kBar = 10, kPitch = 12, kTop = 44;
  constexpr int kRow = kLabelHeight + 4 * kPitch + 8;
  // Rows without latency (a peer not installed) say so in the other charts.
  std::vector<LatencyRow> rows;
  std::copy_if(all.begin(), all.end(), std::back_inserter(rows),
               [](const LatencyRow& r) { return !r.percentiles.empty(); });
  // A log scale by decades: our clients' microseconds and a slow peer's
  // hundreds of milliseconds on one chart, both readable.
  double lo = 1e300, hi = 0;
  for (const auto& r : rows)
    for (const double v : r.percentiles)
      if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi <= 0) lo = 1, hi = 10;
  const double first = std::floor(std::log10(lo)),
               last = std::max(std::ceil(std::log10(hi)), first + 1);
  const auto x = [&](double v) {
    const double d = (std::log10(std::max(v, std::pow(10, first))) - first) / (last - first);
    return kLeft + d * (kRight - kLeft);
  };
  const int bottom = kTop + static_cast<int>(rows.size()) * kRow;
  std::vector<std::pair<std::string, std::string>> keys;
  for (int i = 0; i < 4; ++i)
    keys.emplace_back(fmt::format("lat{}", i), kNames[i]);
  std::string svg = svg_open(bottom + kAxisHeight, title) + legend(keys, 34);
  for (double e = first; e <= last; ++e) {
    const double v = std::pow(10, e);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" class=\"{5}\">{4}</text>",
        x(v), kTop - 4, bottom, bottom + 13,
        v >= 1e6   ? fmt::format("{:g}M", v / 1e6)
        : v >= 1e3 ? fmt::format("{:g}k", v / 1e3)
                   : fmt::format("{:g}", v),
        e == first ? "tick first" : "tick");
  }
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" class=\"axis\"/>"
      "<text x=\"{1}\" y=\"{3}\" class=\"unit\">µs (log scale)</text>\n",
      kLeft, kRight, bottom, bottom + 27);
  int y = kTop;
  for (const auto& r : rows) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\">{}</text>", kLeft, y + 11,
                       html_escaped(r.label));
    for (std::size_t i = 0; i < r.percentiles.size() && i < 4; ++i) {
      const int bar_y = y + kLabelHeight + static_cast<int>(i) * kPitch;
      const double end = x(r.percentiles[i]);
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"lat{}\"/>"
          "<text x=\"{:.1f}\" y=\"{}\" class=\"small\">{:.0f}</text>",
          kLeft, bar_y, std::max(end - kLeft, 0.5), kBar, i, end + 4, bar_y + kBar - 1,
          r.percentiles[i]);
    }
    svg += "\n";
    y += kRow;
  }
  return svg + "</svg>\n";
}

std::string ratio_chart(const std::string& title, const std::vector<RatioMark>& marks,
                        double margin) {
  constexpr int kRight = 430, kRow = kLabelHeight + 16, kTop = 30;
  double lo = 1 - margin, hi = 1 + margin;
  for (const auto& m : marks)
    if (m.interval) {
      lo = std::min(lo, m.interval->low);
      hi = std::max(hi, m.interval->high);
    }
  const double log_lo = std::log(lo) - 0.04, log_hi = std::log(hi) + 0.04;
  const auto x = [&](double ratio) {
    return kLeft + (std::log(ratio) - log_lo) / (log_hi - log_lo) * (kRight - kLeft);
  };
  const int bottom = kTop + static_cast<int>(marks.size()) * kRow;
  std::string svg = svg_open(bottom + kAxisHeight, title);
  svg += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"band\"/>",
                     x(1 - margin), kTop - 4, x(1 + margin) - x(1 - margin), bottom - kTop + 4);
  // Ticks at round ratios, the roundest first, each at least kTickGap px
  // from the others and clear of the ends, where a centred label is cut.
  constexpr double kTickGap = 42;
  std::vector<double> ticks;
  for (const double t : {1.0, 0.5, 2.0, 0.25, 4.0, 0.1, 10.0, 0.8, 1.25, 0.9, 1.1, 0.67, 1.5, 0.2,
                         5.0, 0.95, 1.05, 3.0})
    if (x(t) >= kLeft + 18 && x(t) <= kRight - 18 &&
        std::none_of(ticks.begin(), ticks.end(),
                     [&](double k) { return std::abs(x(k) - x(t)) < kTickGap; }))
      ticks.push_back(t);
  for (const double t : ticks)
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" class=\"tick\">{4:g}x</text>",
        x(t), kTop - 4, bottom, bottom + 13, t);
  svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"one\"/>",
                     x(1), kTop - 4, bottom);
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" class=\"axis\"/>"
      "<text x=\"{1}\" y=\"{3}\" class=\"unit\">ratio (log scale); band: 1 ± {4:g} %</text>\n",
      kLeft, kRight, bottom, bottom + 27, margin * 100);
  int y = kTop;
  for (const auto& m : marks) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\">{}</text>", kLeft, y + 11,
                       html_escaped(m.label));
    const int mid = y + kLabelHeight + 6;
    if (m.interval) {
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{2}\" x2=\"{1:.1f}\" y2=\"{2}\" class=\"ci {3}\"/>"
          "<circle cx=\"{4:.1f}\" cy=\"{2}\" r=\"4\" class=\"dot {3}\"/>"
          "<text x=\"{5}\" y=\"{6}\" class=\"value\">{7}</text>",
          x(m.interval->low), x(m.interval->high), mid, m.css, x(m.interval->ratio), kRight + 8,
          mid + 4, html_escaped(m.text));
    } else {
      svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"value\">{}</text>", kLeft, mid + 4,
                         html_escaped(m.text));
    }
    svg += "\n";
    y += kRow;
  }
  return svg + "</svg>\n";
}

std::string old_new_chart(const std::string& title, const std::string& unit,
                          const std::vector<OldNewBars>& rows) {
  constexpr int kRight = 540, kBar = 10, kPitch = 12, kTop = 44;
  constexpr int kRow = kLabelHeight + 2 * kPitch + 8;
  double top = 0;
  for (const auto& r : rows)
    top = std::max({top, r.old_value, r.new_value});
  const double step = nice_step(top > 0 ? top : 1);
  const double axis_max = std::ceil((top > 0 ? top : 1) / step - 1e-9) * step;
  const auto x = [&](double v) { return kLeft + v / axis_max * (kRight - kLeft); };
  const int bottom = kTop + static_cast<int>(rows.size()) * kRow;
  std::string svg = svg_open(bottom + kAxisHeight, title) +
                    legend({{"old", "baseline (old)"}, {"new", "this run (new)"}}, 34);
  svg += linear_axis(axis_max, step, kRight, kTop - 4, bottom, unit);
  int y = kTop;
  for (const auto& r : rows) {
    svg +=
        fmt::format("<text x=\"{}\" y=\"{}\" class=\"label{}\">{} — {}</text>", kLeft, y + 11,
                    r.regression ? " regression" : "", html_escaped(r.label), html_escaped(r.text));
    int bar_y = y + kLabelHeight;
    for (const auto& [value, css] :
         {std::pair{r.old_value, "old"}, std::pair{r.new_value, "new"}}) {
      const double end = x(value);
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"{}\"/>"
          "<text x=\"{:.1f}\" y=\"{}\" class=\"small\">{:.4g}</text>",
          kLeft, bar_y, std::max(end - kLeft, 0.5), kBar, css, end + 4, bar_y + kBar - 1, value);
      bar_y += kPitch;
    }
    svg += "\n";
    y += kRow;
  }
  return svg + "</svg>\n";
}

}  // namespace lb
