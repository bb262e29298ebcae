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

}  // namespace lb
