// Engine pieces that need no socket: histogram, statistics, timer queue,
// write queue, endpoints, the callback slot.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/callback_slot.hpp"
#include "engine/endpoint.hpp"
#include "engine/error.hpp"
#include "engine/statistics/histogram.hpp"
#include "engine/statistics/stats.hpp"
#include "engine/timer_queue.hpp"
#include "engine/write_queue.hpp"

namespace lb {

TEST_CASE("histogram percentiles stay within 1/32 of the exact value") {
  Histogram h;
  std::vector<std::uint64_t> values;
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(10.0, 2.0);
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto exact = values[static_cast<std::size_t>(std::ceil(q * values.size())) - 1];
    const auto got = h.percentile(q);
    CHECK(got >= exact);
    CHECK(static_cast<double>(got) <= static_cast<double>(exact) * (1.0 + 1.0 / 32) + 1);
  }
  CHECK(h.percentile(1.0) == values.back());
  CHECK(h.max() == values.back());
  CHECK(h.min() == values.front());
  CHECK(h.count() == values.size());
}

TEST_CASE("histogram is exact for small values and merges") {
  Histogram a, b;
  for (std::uint64_t v = 0; v < 64; ++v)
    a.record(v);
  CHECK(a.percentile(0.5) == 31);
  b.record(1'000'000);
  a.merge(b);
  CHECK(a.count() == 65);
  CHECK(a.max() == 1'000'000);
  CHECK(a.percentile(1.0) == 1'000'000);
  CHECK(Histogram{}.percentile(0.5) == 0);
}

TEST_CASE("spread gives min, median and max") {
  CHECK(spread_of({3, 1, 2}).median == 2);
  CHECK(spread_of({4, 1, 2, 3}).median == 2.5);
  const auto s = spread_of({5, 9, 1});
  CHECK(s.min == 1);
  CHECK(s.max == 9);
  CHECK(spread_of({}).median == 0);
}

TEST_CASE("modified z-score: robust distance above the median (values checked with numpy)") {
  const std::vector<double> v = {10, 11, 12, 13, 14, 100};  // median 12.5, MAD 1.5
  CHECK(modified_z_score(100, v) == doctest::Approx(39.345833));
  CHECK(modified_z_score(14, v) == doctest::Approx(0.6745));
  CHECK(modified_z_score(12, v) == 0);  // below the median: not disturbed
  // MAD 0: the mean absolute deviation (0.8) stands in.
  CHECK(modified_z_score(9, {5, 5, 5, 5, 9}) == doctest::Approx(3.989467));
  CHECK(std::isinf(modified_z_score(6, {5, 5, 5})));
  CHECK(modified_z_score(5, {5, 5, 5}) == 0);
  CHECK(modified_z_score(1, {}) == 0);
}

TEST_CASE("timer queue: deadline order, FIFO for ties, lazy cancel") {
  TimerQueue q;
  std::vector<int> fired;
  const auto t0 = Clock::now();
  q.add(t0 + std::chrono::milliseconds(2), [&] { fired.push_back(2); });
  q.add(t0 + std::chrono::milliseconds(1), [&] { fired.push_back(1); });
  q.add(t0 + std::chrono::milliseconds(1), [&] { fired.push_back(11); });
  const auto gone = q.add(t0, [&] { fired.push_back(0); });
  CHECK(q.cancel(gone));
  CHECK_FALSE(q.cancel(gone));
  CHECK(*q.next_deadline() == t0 + std::chrono::milliseconds(1));
  q.run_due(t0 + std::chrono::milliseconds(1));
  CHECK(fired == std::vector<int>{1, 11});
  q.run_due(t0 + std::chrono::milliseconds(5));
  CHECK(fired == std::vector<int>{1, 11, 2});
  CHECK_FALSE(q.next_deadline().has_value());
}

TEST_CASE("timer queue: a timer added while running waits for the next call") {
  TimerQueue q;
  int runs = 0;
  const auto t0 = Clock::now();
  q.add(t0, [&] {
    ++runs;
    q.add(t0, [&] { ++runs; });
  });
  q.run_due(t0);
  CHECK(runs == 1);
  q.run_due(t0);
  CHECK(runs == 2);
}

TEST_CASE("timer queue: a budget stops a call after any timer; the rest stay due, in order") {
  TimerQueue q;
  std::vector<int> order;
  const auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i)
    q.add(t0, [&order, i] { order.push_back(i); });
  int asked = 0;
  q.run_due(t0, [&] { return ++asked >= 2; });  // enough after the second
  CHECK(order == std::vector<int>{0, 1});
  q.run_due(t0, [] { return true; });  // at least one timer a call
  CHECK(order == std::vector<int>{0, 1, 2});
  q.run_due(t0);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(q.size() == 0);
}

TEST_CASE("write queue gathers across requests and completes them in order") {
  WriteQueue q;
  std::vector<int> completed;
  q.push({copy_slice("abc"), copy_slice("de")}, [&](std::error_code) { completed.push_back(1); });
  q.push({}, [&](std::error_code) { completed.push_back(2); });
  q.push({copy_slice("fgh")}, [&](std::error_code) { completed.push_back(3); });
  CHECK(q.bytes() == 8);

  std::string gathered;
  CHECK(q.gather(10, [&](std::span<const std::byte> p) {
    gathered.append(reinterpret_cast<const char*>(p.data()), p.size());
  }) == 3);
  CHECK(gathered == "abcdefgh");

  std::vector<WriteCallback> done;
  q.consume(4, done);  // "abcd"
  CHECK(done.empty());
  gathered.clear();
  q.gather(1, [&](std::span<const std::byte> p) {
    gathered.append(reinterpret_cast<const char*>(p.data()), p.size());
  });
  CHECK(gathered == "e");
  q.consume(1, done);  // finishes request 1 and the empty request 2
  for (auto& cb : done)
    cb({});
  CHECK(completed == std::vector<int>{1, 2});
  done.clear();
  q.consume(3, done);
  for (auto& cb : done)
    cb({});
  CHECK(completed == std::vector<int>{1, 2, 3});
  CHECK(q.empty());
  CHECK(q.bytes() == 0);
}

TEST_CASE("endpoint parsing") {
  CHECK(Endpoint::parse("127.0.0.1:80")->port == 80);
  CHECK(Endpoint::parse("localhost:5201")->host == "localhost");
  CHECK(Endpoint::parse("[::1]:443")->host == "::1");
  CHECK(Endpoint::parse("8080")->host == "127.0.0.1");
  CHECK(Endpoint::parse(":8080")->port == 8080);
  CHECK_FALSE(Endpoint::parse("host:99999"));
  CHECK_FALSE(Endpoint::parse("host:"));
  CHECK_FALSE(Endpoint::parse("host:12x"));
  CHECK_FALSE(Endpoint::parse("[::1]443"));
  CHECK(Endpoint{"::1", 5}.to_string() == "[::1]:5");
}

TEST_CASE("engine errors have messages and compare as enums") {
  const std::error_code eof = errc::eof;
  CHECK(eof == errc::eof);
  CHECK(eof.message() == "end of stream");
  CHECK(eof != std::errc::connection_reset);
}

TEST_CASE("invoke_slot lets the callback replace its own slot") {
  std::function<void(int)> slot;
  std::vector<int> log;
  slot = [&](int v) {
    log.push_back(v);
    slot = [&](int w) { log.push_back(w * 10); };
  };
  invoke_slot(slot, 1);
  invoke_slot(slot, 2);
  CHECK(log == std::vector<int>{1, 20});
}

}  // namespace lb
