#pragma once
// How two variants measured in the same rounds compare: one ratio per
// round (variant over reference), summarised as an effect size with a
// distribution-free confidence interval, and a verdict that says
// "undecided" when the interval does not settle the question.
//
// The method (docs/statistics.md): the Hodges-Lehmann estimate of the
// log-ratios' centre, with the exact Wilcoxon signed-rank interval (the
// order statistics of the Walsh averages; a normal approximation beyond
// 200 rounds), mapped back to ratios. It assumes only that the rounds'
// log-ratios are independent and symmetric about their centre; drift of
// the machine between rounds cancels within each pair.
#include <optional>
#include <vector>

namespace lb {

struct RatioInterval {
  double ratio = 1;  // the estimate, as a ratio (1.29 = 29 % more)
  double low = 1, high = 1;
  double confidence = 0;  // the interval's exact coverage, >= the level asked
  int rounds = 0;
};

// P(W+ <= w) for the Wilcoxon signed-rank statistic of n pairs under the
// null hypothesis (exact up to n = 200, normal approximation beyond).
double wilcoxon_cdf(int n, int w);

// The interval of the paired `ratios` (each > 0) at `level` (0.95): nullopt
// when no interval reaches that level with so few rounds (n < 6 at 0.95).
std::optional<RatioInterval> ratio_interval(const std::vector<double>& ratios, double level = 0.95);
// The fewest rounds with which ratio_interval() can give an interval.
int rounds_for_level(double level = 0.95);

// P(U <= u) for the Mann-Whitney statistic of two samples of m and n
// under the null hypothesis (exact while m + n <= 60, normal beyond).
double mann_whitney_cdf(int m, int n, int u);
// Two unpaired samples (runs made at different times, as a baseline and a
// new run): `after` over `before` as the Hodges-Lehmann ratio (the median
// of every log(after_j / before_i)) with the exact Mann-Whitney interval
// (the order statistics of those m x n ratios). nullopt when the samples
// are too small for `level` (4 and 4, or 3 and 5, at 0.95).
std::optional<RatioInterval> ratio_interval_unpaired(const std::vector<double>& before,
                                                     const std::vector<double>& after,
                                                     double level = 0.95);

// Rounds until decided: the rounds after which a comparison may stop,
// fixed before the first, with the level each of those analyses uses.
// Splitting 1 - level equally over the looks (Bonferroni) keeps every
// interval honest however the stopping turns out: at most `looks()`
// analyses are made, each wrong with probability (1 - level) / looks.
struct LookSchedule {
  std::vector<int> rounds;  // increasing; the last is the most allowed
  double level_per_look = 0.95;
};
// Up to 4 looks between the fewest rounds that reach level_per_look and
// `max_rounds`, spaced geometrically; fewer when the rounds do not leave
// room. Empty rounds when not even one look fits.
LookSchedule look_schedule(int max_rounds, double level = 0.95);

enum class Judgement { better, worse, same, undecided };

// `same`: the whole interval lies within 1 +- margin; otherwise `better` or
// `worse` when it excludes 1 (higher ratios are better unless
// `lower_is_better`, as for CPU per operation or latency); else
// `undecided`. No interval is `undecided`.
Judgement judge(const std::optional<RatioInterval>& interval, double margin, bool lower_is_better);

}  // namespace lb
