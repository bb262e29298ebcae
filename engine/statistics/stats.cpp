#include "engine/statistics/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lb {

Spread spread_of(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
  return {values.front(), median, values.back()};
}

double modified_z_score(double x, const std::vector<double>& values) {
  if (values.empty()) return 0;
  const double median = spread_of(values).median;
  if (x <= median) return 0;
  std::vector<double> deviations;
  deviations.reserve(values.size());
  double sum = 0;
  for (double v : values) {
    deviations.push_back(std::abs(v - median));
    sum += deviations.back();
  }
  const double mad = spread_of(std::move(deviations)).median;
  if (mad > 0) return 0.6745 * (x - median) / mad;
  const double mean_deviation = sum / static_cast<double>(values.size());
  if (mean_deviation > 0) return (x - median) / (1.2533 * mean_deviation);
  return std::numeric_limits<double>::infinity();
}

}  // namespace lb
