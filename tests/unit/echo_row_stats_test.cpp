// bench echo's row statistics: Jain's fairness index and what the counted
// repeats of a row add up to in its JSON.
#include <doctest/doctest.h>

#include "tools/echo/row_stats.hpp"

namespace lb {

TEST_CASE("jain_index: 1 for equal shares, 1/n when one connection did all, 0 for none") {
  CHECK(jain_index({5, 5, 5, 5}) == doctest::Approx(1.0));
  CHECK(jain_index({8, 0, 0, 0}) == doctest::Approx(0.25));
  CHECK(jain_index({1, 3}) == doctest::Approx(16.0 / 20.0));  // (1+3)^2 / (2 * (1+9))
  CHECK(jain_index({0, 0}) == 0);
  CHECK(jain_index({}) == 0);
  // Large counts do not overflow: squares are summed as doubles.
  CHECK(jain_index({4'000'000'000ull, 4'000'000'000ull}) == doctest::Approx(1.0));
}

TEST_CASE("EchoRowStats keeps the least fair repeat, rates per window and memory per connection") {
  EchoRowStats stats;
  EchoRunResult fair;
  fair.window_s = 2;
  fair.reconnects = 10;
  fair.echoes_in_window = 400;
  fair.open_s = 0.5;
  fair.per_connection = {100, 100, 100, 100};
  fair.rss_before_open_kib = 1000;
  fair.rss_open_kib = 1400;
  fair.server_rss_before_open_kib = 2000;
  fair.server_rss_open_kib = 2800;
  EchoRunResult skewed = fair;
  skewed.per_connection = {10, 10, 10, 370};
  skewed.rss_open_kib = 900;  // smaller than before: counts as no growth
  stats.add(fair, 4);
  stats.add(skewed, 4);

  CHECK(stats.least_fair == skewed.per_connection);
  CHECK(stats.least_jain == doctest::Approx(jain_index(skewed.per_connection)));
  REQUIRE(stats.opened_per_s.size() == 2);
  CHECK(stats.opened_per_s[0] == doctest::Approx(8.0));  // 4 connections in 0.5 s
  CHECK(stats.reconnects_per_s == std::vector<double>{5.0, 5.0});
  CHECK(stats.echoed_per_s == std::vector<double>{200.0, 200.0});
  CHECK(stats.client_kib_per_conn == std::vector<double>{100.0, 0.0});
  CHECK(stats.server_kib_per_conn == std::vector<double>{200.0, 200.0});

  RunResult row;
  Pacing closed;
  const auto j = stats.json(row, closed, 50, true, MemoryKib{3000, 3500});
  CHECK(j.at("fairness").at("min") == 10);
  CHECK(j.at("fairness").at("max") == 370);
  CHECK(j.at("fairness").at("median") == 10);
  CHECK(j.at("churn").at("messages_per_connection") == 50);
  CHECK(j.at("rss_kib").at("server_peak") == 3500);
  CHECK(j.at("rss_kib").at("server_per_connection") == doctest::Approx(200.0));
  CHECK_FALSE(j.contains("rate"));  // closed loop

  const auto without_server = stats.json(row, closed, 0, false, std::nullopt);
  CHECK_FALSE(without_server.at("rss_kib").contains("server_peak"));
  CHECK_FALSE(without_server.at("rss_kib").contains("server_per_connection"));
  CHECK_FALSE(without_server.contains("churn"));
}

}  // namespace lb
