#pragma once
// Summaries over repeated runs: every figure we report is min/median/max.
#include <vector>

namespace lb {

struct Spread {
  double min = 0;
  double median = 0;
  double max = 0;
};

// Median of an even count is the mean of the middle two. Empty -> zeros.
Spread spread_of(std::vector<double> values);

// How far `x` lies above the centre of `values`, in robust units: the
// modified z-score of Iglewicz and Hoaglin, 0.6745 (x - median) / MAD
// (hyperfine flags outliers by it). Where more than half the values are
// equal (MAD 0) the mean absolute deviation, times 1.2533, stands in; where
// that is 0 too, any x above the median is infinitely far. 0 for x at or
// below the median, and for no values.
double modified_z_score(double x, const std::vector<double>& values);

}  // namespace lb
