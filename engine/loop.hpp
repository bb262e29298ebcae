#pragma once
// One event loop per thread: the engine's timers and deferred work on top of
// a Backend that only waits for I/O. Everything here runs on the loop's
// thread, except post() and stop_from_any_thread().
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "engine/backend.hpp"
#include "engine/handles.hpp"
#include "engine/timer_queue.hpp"
#include "engine/turn_budget.hpp"

namespace lb {

class Loop;

// A one-shot timer; destroying it cancels it. Must not outlive its Loop.
class Timer {
 public:
  Timer() = default;
  Timer(Timer&& other) noexcept;
  Timer& operator=(Timer&& other) noexcept;
  ~Timer() { cancel(); }

  void cancel();
  bool pending() const;

 private:
  friend class Loop;
  Timer(Loop* loop, TimerQueue::Id id) : loop_(loop), id_(id) {}
  Loop* loop_ = nullptr;
  TimerQueue::Id id_ = 0;
};

class Loop {
 public:
  explicit Loop(const BackendFactory& make_backend);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  std::string_view backend_name() const { return backend_->name(); }
  Backend& backend() { return *backend_; }

  // Runs turns until stop() is called, then clears the stop so the loop can
  // run again.
  void run();
  // Runs one turn: one wait for I/O (not past the next timer, not at all if
  // work is pending), then posted work, due timers and deferred work.
  void run_once();
  // One turn that polls for I/O without waiting: lets work queued by the
  // last callbacks (deferred frees, closes) finish after run() returned.
  void run_nowait();
  void stop() { stopped_ = true; }
  void stop_from_any_thread();
  // Async-signal-safe (one lock-free store): makes every run() of the
  // process return at its next turn, and those called later at once
  // (run_once() and run_nowait() still turn). A user's Ctrl-C ends the
  // measurement under way, whichever loops and threads it runs on: a
  // measuring loop turns at least every 50 ms (its lag probe's timer), and
  // a wait the signal lands in returns early.
  static void interrupt_all();
  static bool interrupted() { return interrupted_.load(std::memory_order_relaxed); }
  bool stopped() const { return stopped_; }

  // Runs `fn` on the next turn (loop thread only).
  void defer(std::function<void()> fn);
  // Thread-safe: runs `fn` on the loop's thread on a later turn.
  void post(std::function<void()> fn);

  Timer start_timer(std::chrono::nanoseconds delay, std::function<void()> cb);
  // Handles still live when loops of this process were destroyed, summed:
  // a leak, since every stream, listener and watch should close before
  // its loop goes (`LOOPBENCH_TEARDOWN_CHECK` makes bench fail on it).
  static std::size_t handles_left_at_teardown() { return handles_left_.load(); }
  Clock::time_point now() const { return Clock::now(); }
  // This turn's share of callback time: backends stop dispatching I/O once
  // it is spent, and a producer (a file sender) yields to the next turn.
  TurnBudget& turn_budget() { return budget_; }

  // Thin forwards to the backend, wrapping what it returns in handles.
  void connect(const Endpoint& to, ConnectCallback cb) { backend_->connect(to, std::move(cb)); }
  Listener listen(const Endpoint& at, const ListenOptions& options, AcceptCallback cb,
                  std::error_code& ec);
  Watch watch(SocketHandle fd, unsigned interest, WatchCallback cb);

 private:
  friend class Timer;
  void run_deferred();
  void run_timers();
  void run_posted();
  std::optional<std::chrono::nanoseconds> wait_timeout();

  std::unique_ptr<Backend> backend_;
  TurnBudget budget_;
  TimerQueue timers_;
  std::vector<std::function<void()>> deferred_;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  bool stopped_ = false;
  static std::atomic<std::size_t> handles_left_;
  static std::atomic<bool> interrupted_;
};

// Loop::listen for a server's setup: std::system_error naming the address
// when it cannot be bound.
Listener listen_or_throw(Loop& loop, const Endpoint& at, const ListenOptions& options,
                         AcceptCallback on_accept);

}  // namespace lb
