// The paired comparison's interval and verdict (engine/statistics/comparison.hpp),
// against values computed independently with Python 3.11 and SciPy 1.10
// (Debian 12's python3-scipy): the null distribution by brute-force
// enumeration of the 2^n sign patterns and by SciPy's
// _get_wilcoxon_distr; the intervals by inverting scipy.stats.wilcoxon
// (method='exact'): the set of shifts t whose test of log(ratios) - t
// keeps p > 0.05, probed between consecutive Walsh averages.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "engine/statistics/comparison.hpp"

namespace lb {

TEST_CASE("wilcoxon_cdf: the exact null distribution of W+") {
  CHECK(wilcoxon_cdf(6, 0) == doctest::Approx(0.015625));
  CHECK(wilcoxon_cdf(6, 1) == doctest::Approx(0.03125));
  CHECK(wilcoxon_cdf(10, 8) == doctest::Approx(0.0244140625));
  CHECK(wilcoxon_cdf(10, 9) == doctest::Approx(0.0322265625));
  CHECK(wilcoxon_cdf(12, 13) == doctest::Approx(0.021240234375));
  CHECK(wilcoxon_cdf(12, 14) == doctest::Approx(0.026123046875));
  CHECK(wilcoxon_cdf(20, 52) == doctest::Approx(0.02422046661376953));
  CHECK(wilcoxon_cdf(30, 137) == doctest::Approx(0.024855060502886772));
  CHECK(wilcoxon_cdf(5, -1) == 0);
  CHECK(wilcoxon_cdf(5, 15) == 1);
  // Symmetric: P(W <= w) = P(W >= n(n+1)/2 - w).
  CHECK(wilcoxon_cdf(9, 10) == doctest::Approx(1 - wilcoxon_cdf(9, 45 - 10 - 1)));
  // Beyond the exact range, the normal approximation stays close.
  CHECK(wilcoxon_cdf(201, 201 * 202 / 4) == doctest::Approx(0.5).epsilon(0.01));
}

TEST_CASE("ratio_interval: Hodges-Lehmann ratio with the exact Wilcoxon interval") {
  CHECK(rounds_for_level(0.95) == 6);
  CHECK(rounds_for_level(0.90) == 5);
  // Five rounds cannot give a 95 % interval: nothing is claimed.
  CHECK_FALSE(ratio_interval({0.68, 0.89, 1.05, 0.86, 0.96}).has_value());

  const auto a = ratio_interval({0.68, 0.89, 1.05, 0.86, 0.96, 0.93});
  REQUIRE(a.has_value());
  CHECK(a->rounds == 6);
  CHECK(a->ratio == doctest::Approx(0.9086253353280438));
  CHECK(a->low == doctest::Approx(0.68));
  CHECK(a->high == doctest::Approx(1.05));
  CHECK(a->confidence == doctest::Approx(1 - 2.0 / 64));

  const auto b =
      ratio_interval({1.20, 1.76, 1.31, 1.45, 1.22, 1.38, 1.29, 1.51, 1.33, 1.27, 1.41, 1.36});
  REQUIRE(b.has_value());
  CHECK(b->ratio == doctest::Approx(1.3517142355494192));
  CHECK(b->low == doctest::Approx(1.2799609369039353));
  CHECK(b->high == doctest::Approx(1.459143584435747));
  CHECK(b->confidence == doctest::Approx(1 - 2 * 0.021240234375));

  const auto c =
      ratio_interval({1.012, 0.991, 1.018, 1.003, 0.984, 1.007, 0.998, 1.021, 0.993, 1.009});
  REQUIRE(c.has_value());
  CHECK(c->ratio == doctest::Approx(1.0034849276396731));
  CHECK(c->low == doctest::Approx(0.9944938411071232));
  CHECK(c->high == doctest::Approx(1.0124850616181948));

  // A ratio that is not a positive number is no measurement.
  CHECK_FALSE(ratio_interval({1, 1, 1, 1, 1, 0}).has_value());
  CHECK_FALSE(ratio_interval({1, 1, 1, 1, 1, NAN}).has_value());
}

TEST_CASE("mann_whitney_cdf: the exact null distribution of U") {
  // By brute-force enumeration of the C(m+n, m) arrangements.
  CHECK(mann_whitney_cdf(4, 4, 0) == doctest::Approx(0.014285714285714285));
  CHECK(mann_whitney_cdf(4, 4, 1) == doctest::Approx(0.02857142857142857));
  CHECK(mann_whitney_cdf(5, 5, 2) == doctest::Approx(0.015873015873015872));
  CHECK(mann_whitney_cdf(5, 5, 3) == doctest::Approx(0.027777777777777776));
  CHECK(mann_whitney_cdf(3, 5, 0) == doctest::Approx(0.017857142857142856));
  CHECK(mann_whitney_cdf(6, 8, 7) == doctest::Approx(0.014652014652014652));
  CHECK(mann_whitney_cdf(6, 8, 8) == doctest::Approx(0.021312021312021312));
  CHECK(mann_whitney_cdf(40, 40, 800) == doctest::Approx(0.5).epsilon(0.01));
}

TEST_CASE("ratio_interval_unpaired: Hodges-Lehmann ratio with the exact Mann-Whitney interval") {
  // Intervals by inverting scipy.stats.mannwhitneyu(method='exact').
  const auto slower = ratio_interval_unpaired({100, 98, 103, 101, 99}, {90, 91, 88, 93, 89});
  REQUIRE(slower.has_value());
  CHECK(slower->ratio == doctest::Approx(0.9000000000000004));
  CHECK(slower->low == doctest::Approx(0.8712871287128706));
  CHECK(slower->high == doctest::Approx(0.9299999999999999));
  const auto noisy = ratio_interval_unpaired({70, 100, 130, 85, 115}, {65, 90, 120, 80, 95});
  REQUIRE(noisy.has_value());
  CHECK(noisy->ratio == doctest::Approx(0.9230769230769231));
  CHECK(noisy->low == doctest::Approx(0.6153846153846153));
  CHECK(noisy->high == doctest::Approx(1.3571428571428577));
  const auto flat = ratio_interval_unpaired({10.0, 10.2, 9.9, 10.1}, {10.05, 10.15, 9.95, 10.0});
  REQUIRE(flat.has_value());
  CHECK(flat->low == doctest::Approx(0.9754901960784316));
  CHECK(flat->high == doctest::Approx(1.025252525252525));
  // One repeat on a side (or 3 and 4) cannot show the noise.
  CHECK_FALSE(ratio_interval_unpaired({100}, {90, 91, 88, 93, 89}).has_value());
  CHECK_FALSE(ratio_interval_unpaired({1, 2, 3}, {1, 2, 3, 4}).has_value());
  CHECK(ratio_interval_unpaired({1, 2, 3}, {1, 2, 3, 4, 5}).has_value());
}

TEST_CASE("look_schedule: looks fixed in advance, the level split over them") {
  const auto s20 = look_schedule(20);
  CHECK(s20.level_per_look == doctest::Approx(0.9875));
  // 8 rounds are the fewest whose widest interval covers 98.75 %.
  CHECK(s20.rounds == std::vector<int>{8, 11, 15, 20});
  const auto s8 = look_schedule(8);
  CHECK(s8.rounds == std::vector<int>{7, 8});
  CHECK(s8.level_per_look == doctest::Approx(0.975));
  CHECK(look_schedule(6).rounds == std::vector<int>{6});
  CHECK(look_schedule(5).rounds.empty());
}

TEST_CASE("judge: same within the margin, better or worse when 1 is excluded, else undecided") {
  const auto interval = [](double low, double high) {
    RatioInterval r;
    r.low = low;
    r.high = high;
    return std::optional<RatioInterval>(r);
  };
  CHECK(judge(interval(0.99, 1.02), 0.03, false) == Judgement::same);
  CHECK(judge(interval(1.19, 1.41), 0.03, false) == Judgement::better);
  CHECK(judge(interval(1.19, 1.41), 0.03, true) == Judgement::worse);  // CPU per op went up
  CHECK(judge(interval(0.80, 0.95), 0.03, false) == Judgement::worse);
  CHECK(judge(interval(0.80, 0.95), 0.03, true) == Judgement::better);
  CHECK(judge(interval(0.91, 1.12), 0.03, false) == Judgement::undecided);
  // Excludes 1 but reaches beyond the margin: a difference, however small.
  CHECK(judge(interval(1.01, 1.05), 0.03, false) == Judgement::better);
  CHECK(judge(std::nullopt, 0.03, false) == Judgement::undecided);
}

}  // namespace lb
