#pragma once
// How long one loop turn may run I/O callbacks. A backend with more ready
// work than that leaves the rest for its next turn, so timers and deferred
// work (the loop-lag probe, watchdogs, a paced sender) run in between: a
// burst of ready I/O (a full completion queue, a socket that stays readable,
// buffers touched for the first time) never holds the loop for long.
#include <chrono>
#include <cstdint>

#include "engine/timer_queue.hpp"

namespace lb {

class TurnBudget {
 public:
  static constexpr std::chrono::microseconds kDefault{1000};

  explicit TurnBudget(std::chrono::nanoseconds limit = kDefault) : limit_(limit) {}

  // A new turn; its clock starts at begin() or the first spent(), so time
  // spent waiting for I/O does not count.
  void reset() {
    started_ = kNotStarted;
    ++turn_;
  }
  // Which turn this is: a producer that must move on at least once a turn
  // (even when the budget is spent) remembers the turn it last did.
  std::uint64_t turn() const { return turn_; }
  void begin() {
    if (started_ == kNotStarted) started_ = Clock::now();
  }
  // True once this turn has run callbacks for the limit.
  bool spent() {
    begin();
    return Clock::now() - started_ >= limit_;
  }

 private:
  static constexpr Clock::time_point kNotStarted = Clock::time_point::min();
  std::chrono::nanoseconds limit_;
  Clock::time_point started_ = kNotStarted;
  std::uint64_t turn_ = 0;
};

// A producer's share of a turn (a sender that reads or frames before it
// queues): it goes on until the budget is spent, but always makes one step
// a turn, so it neither holds the loop nor stalls behind a turn whose I/O
// callbacks spent the budget.
class TurnShare {
 public:
  bool may_go_on(TurnBudget& budget) const {
    return !budget.spent() || last_turn_ != budget.turn();
  }
  void stepped(const TurnBudget& budget) { last_turn_ = budget.turn(); }

 private:
  std::uint64_t last_turn_ = 0;
};

}  // namespace lb
