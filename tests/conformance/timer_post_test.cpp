// Engine timers and cross-thread post, run on each backend's wait.
#include <atomic>
#include <thread>

#include "engine/loop_barrier.hpp"
#include "harness.hpp"

namespace lb::test {

using namespace std::chrono_literals;

TEST_CASE("timers fire in deadline order, cancelled ones never") {
  auto loop = make_test_loop();
  std::vector<int> order;
  Timer t30 = loop->start_timer(30ms, [&] { order.push_back(30); });
  Timer t10 = loop->start_timer(10ms, [&] { order.push_back(10); });
  Timer t20 = loop->start_timer(20ms, [&] { order.push_back(20); });
  Timer cancelled = loop->start_timer(15ms, [&] { order.push_back(15); });
  Timer same_a = loop->start_timer(25ms, [&] { order.push_back(25); });
  cancelled.cancel();
  CHECK_FALSE(cancelled.pending());
  REQUIRE(run_until(*loop, [&] { return order.size() == 4; }));
  settle(*loop, 3);
  CHECK(order == std::vector<int>{10, 20, 25, 30});
}

TEST_CASE("a timer fires no earlier than its delay") {
  auto loop = make_test_loop();
  const auto start = Clock::now();
  Clock::time_point fired{};
  Timer t = loop->start_timer(40ms, [&] { fired = Clock::now(); });
  REQUIRE(run_until(*loop, [&] { return fired != Clock::time_point{}; }));
  CHECK(fired - start >= 40ms);
}

TEST_CASE("a timer may cancel another from its callback, and start new ones") {
  auto loop = make_test_loop();
  int fired = 0;
  Timer victim;
  Timer chained;
  Timer killer = loop->start_timer(5ms, [&] {
    victim.cancel();
    chained = loop->start_timer(0ms, [&] { ++fired; });
  });
  victim = loop->start_timer(5ms, [&] { fired += 100; });
  REQUIRE(run_until(*loop, [&] { return fired > 0; }));
  settle(*loop);
  CHECK(fired == 1);
}

TEST_CASE("post from other threads runs every function on the loop thread") {
  auto loop = make_test_loop();
  const auto loop_thread = std::this_thread::get_id();
  constexpr int kThreads = 4, kPerThread = 1000;
  int ran = 0;
  std::atomic<bool> wrong_thread{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        loop->post([&] {
          if (std::this_thread::get_id() != loop_thread) wrong_thread = true;
          ++ran;
        });
      }
    });
  }
  // The loop blocks in its backend without timers: only wake() can end it.
  const bool all = run_until(
      *loop, [&] { return ran == kThreads * kPerThread; }, 20s);
  for (auto& th : threads)
    th.join();
  CHECK(all);
  CHECK_FALSE(wrong_thread.load());
}

TEST_CASE("stop_from_any_thread ends run() while blocked in the backend") {
  auto loop = make_test_loop();
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    loop->stop_from_any_thread();
  });
  // A far timer proves run() returned because of the stop, not the timer.
  bool timer_fired = false;
  Timer late = loop->start_timer(30s, [&] { timer_fired = true; });
  loop->run();
  stopper.join();
  CHECK_FALSE(timer_fired);
}

TEST_CASE("a loop barrier releases every loop only once all arrived, round after round") {
  constexpr int kLoops = 3, kRounds = 4;
  LoopBarrier barrier(kLoops);
  std::atomic<int> arrived{0};
  std::atomic<bool> early{false};
  std::vector<int> released(kLoops, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kLoops; ++t) {
    threads.emplace_back([&, t] {
      auto loop = make_test_loop();
      for (int round = 1; round <= kRounds; ++round) {
        // Each loop arrives after a different delay.
        bool go = false;
        Timer wait = loop->start_timer(std::chrono::milliseconds(5 * t), [&] {
          ++arrived;
          barrier.arrive(*loop, [&] {
            if (arrived.load() < round * kLoops) early = true;
            ++released[t];
            go = true;
          });
        });
        if (!run_until(
                *loop, [&] { return go; }, 10s))
          return;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK_FALSE(early.load());
  CHECK(released == std::vector<int>(kLoops, kRounds));
}

}  // namespace lb::test
