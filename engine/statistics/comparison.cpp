#include "engine/statistics/comparison.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace lb {
namespace {

constexpr int kExactRounds = 200;

// The number of subsets of {1..n} whose sum is w, for every w, divided by
// 2^n: the exact null distribution of W+ (each rank's sign is a fair coin).
std::vector<double> wilcoxon_pmf(int n) {
  const int max_sum = n * (n + 1) / 2;
  std::vector<double> p(static_cast<std::size_t>(max_sum) + 1, 0.0);
  p[0] = 1;
  int top = 0;
  for (int rank = 1; rank <= n; ++rank) {
    top += rank;
    // Halving at each step keeps every entry a probability (no 2^n).
    for (int w = top; w >= 0; --w)
      p[static_cast<std::size_t>(w)] =
          0.5 * (p[static_cast<std::size_t>(w)] +
                 (w >= rank ? p[static_cast<std::size_t>(w - rank)] : 0.0));
  }
  return p;
}

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// Hodges-Lehmann from `points` (the Walsh averages of log-ratios, or every
// difference of logs of two samples): the median as the estimate, and the
// d-th smallest to the d-th largest as the interval, d - 1 being the
// largest w with cdf(w) <= (1 - level) / 2 under the statistic's null
// distribution. nullopt when even the widest one falls short of `level`.
std::optional<RatioInterval> order_statistic_interval(std::vector<double> points,
                                                      const std::function<double(int)>& cdf,
                                                      double level, int rounds) {
  const double tail = (1 - level) / 2;
  int d = 0;
  double below = 0;
  for (double next = cdf(0); next <= tail; next = cdf(++d))
    below = next;
  if (d < 1 || points.empty()) return std::nullopt;
  std::sort(points.begin(), points.end());
  const std::size_t mid = points.size() / 2;
  RatioInterval out;
  out.rounds = rounds;
  out.confidence = 1 - 2 * below;
  out.low = std::exp(points[static_cast<std::size_t>(d - 1)]);
  out.high = std::exp(points[points.size() - static_cast<std::size_t>(d)]);
  out.ratio = std::exp(points.size() % 2 ? points[mid] : 0.5 * (points[mid - 1] + points[mid]));
  return out;
}

// Running sums of a probability mass function: its cdf, one lookup per w.
std::function<double(int)> cdf_of(std::vector<double> pmf) {
  for (std::size_t i = 1; i < pmf.size(); ++i)
    pmf[i] += pmf[i - 1];
  return [pmf = std::move(pmf)](int w) {
    if (w < 0) return 0.0;
    return std::min(pmf[std::min(static_cast<std::size_t>(w), pmf.size() - 1)], 1.0);
  };
}

}  // namespace

double wilcoxon_cdf(int n, int w) {
  if (w < 0) return 0;
  const int max_sum = n * (n + 1) / 2;
  if (w >= max_sum) return 1;
  if (n <= kExactRounds) return cdf_of(wilcoxon_pmf(n))(w);
  const double mean = n * (n + 1) / 4.0;
  const double sd = std::sqrt(n * (n + 1) * (2.0 * n + 1) / 24.0);
  return normal_cdf((w + 0.5 - mean) / sd);  // with continuity correction
}

int rounds_for_level(double level) {
  // The narrowest interval, [min, max] of the Walsh averages, covers
  // 1 - 2 / 2^n: the first n where that reaches the level.
  int n = 1;
  while (1.0 - 2.0 * std::ldexp(1.0, -n) < level)
    ++n;
  return n;
}

std::optional<RatioInterval> ratio_interval(const std::vector<double>& ratios, double level) {
  const int n = static_cast<int>(ratios.size());
  if (n < rounds_for_level(level)) return std::nullopt;
  for (double r : ratios)
    if (!(r > 0) || !std::isfinite(r)) return std::nullopt;
  std::vector<double> logs;
  logs.reserve(ratios.size());
  for (double r : ratios)
    logs.push_back(std::log(r));
  std::vector<double> walsh;  // (x_i + x_j) / 2 for i <= j
  walsh.reserve(static_cast<std::size_t>(n) * (n + 1) / 2);
  for (std::size_t i = 0; i < logs.size(); ++i)
    for (std::size_t j = i; j < logs.size(); ++j)
      walsh.push_back(0.5 * (logs[i] + logs[j]));
  const auto cdf = n <= kExactRounds
                       ? cdf_of(wilcoxon_pmf(n))
                       : std::function<double(int)>([n](int w) { return wilcoxon_cdf(n, w); });
  return order_statistic_interval(std::move(walsh), cdf, level, n);
}

namespace {

constexpr int kExactSamples = 60;

// The number of arrangements of m x's and n y's with U = u, for every u,
// divided by C(m+n, m): the coefficients of the Gaussian binomial
// [m+n choose m]_q = prod_{k=1..m} (1 - q^(n+k)) / (1 - q^k), built one
// factor at a time (each partial product is a polynomial).
std::vector<double> mann_whitney_pmf(int m, int n) {
  const std::size_t top = static_cast<std::size_t>(m) * static_cast<std::size_t>(n);
  std::vector<double> g(top + 1, 0.0);
  g[0] = 1;
  for (int k = 1; k <= m; ++k) {
    const std::size_t up = static_cast<std::size_t>(n + k), down = static_cast<std::size_t>(k);
    for (std::size_t u = top; u >= up; --u)
      g[u] -= g[u - up];
    for (std::size_t u = down; u <= top; ++u)
      g[u] += g[u - down];
  }
  double total = 0;
  for (double c : g)
    total += c;
  for (double& c : g)
    c /= total;
  return g;
}

}  // namespace

double mann_whitney_cdf(int m, int n, int u) {
  if (u < 0) return 0;
  if (u >= m * n) return 1;
  if (m + n <= kExactSamples) return cdf_of(mann_whitney_pmf(m, n))(u);
  const double mean = m * n / 2.0;
  const double sd = std::sqrt(m * n * (m + n + 1) / 12.0);
  return normal_cdf((u + 0.5 - mean) / sd);
}

std::optional<RatioInterval> ratio_interval_unpaired(const std::vector<double>& before,
                                                     const std::vector<double>& after,
                                                     double level) {
  const int m = static_cast<int>(before.size()), n = static_cast<int>(after.size());
  if (m == 0 || n == 0) return std::nullopt;
  for (const auto* sample : {&before, &after})
    for (double v : *sample)
      if (!(v > 0) || !std::isfinite(v)) return std::nullopt;
  std::vector<double> diffs;
  diffs.reserve(static_cast<std::size_t>(m) * static_cast<std::size_t>(n));
  for (double b : before)
    for (double a : after)
      diffs.push_back(std::log(a) - std::log(b));
  const auto cdf =
      m + n <= kExactSamples
          ? cdf_of(mann_whitney_pmf(m, n))
          : std::function<double(int)>([m, n](int u) { return mann_whitney_cdf(m, n, u); });
  return order_statistic_interval(std::move(diffs), cdf, level, std::min(m, n));
}

LookSchedule look_schedule(int max_rounds, double level) {
  for (int looks = 4; looks >= 1; --looks) {
    LookSchedule s;
    s.level_per_look = 1 - (1 - level) / looks;
    const int first = rounds_for_level(s.level_per_look);
    if (first > max_rounds) continue;
    for (int k = 0; k < looks; ++k) {
      const double t = looks == 1 ? 1.0 : double(k) / (looks - 1);
      const int n = static_cast<int>(std::lround(first * std::pow(double(max_rounds) / first, t)));
      if (s.rounds.empty() || n > s.rounds.back()) s.rounds.push_back(n);
    }
    if (static_cast<int>(s.rounds.size()) == looks) return s;
  }
  return {};
}

Judgement judge(const std::optional<RatioInterval>& interval, double margin, bool lower_is_better) {
  if (!interval) return Judgement::undecided;
  if (interval->low >= 1 - margin && interval->high <= 1 + margin) return Judgement::same;
  if (interval->low > 1) return lower_is_better ? Judgement::worse : Judgement::better;
  if (interval->high < 1) return lower_is_better ? Judgement::better : Judgement::worse;
  return Judgement::undecided;
}

}  // namespace lb
