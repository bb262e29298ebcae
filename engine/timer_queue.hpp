#pragma once
// The engine's timers: a min-heap of deadlines with lazy cancellation.
// Timers with the same deadline fire in the order they were started.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace lb {

using Clock = std::chrono::steady_clock;

class TimerQueue {
 public:
  using Id = std::uint64_t;

  Id add(Clock::time_point deadline, std::function<void()> cb);
  // Returns false when the timer already fired or was cancelled.
  bool cancel(Id id);
  bool pending(Id id) const { return callbacks_.contains(id); }
  std::optional<Clock::time_point> next_deadline();
  // Runs every timer due at `now`; timers started by these callbacks wait for
  // a later call even if already due, so a 0 ms timer cannot starve I/O.
  // With `enough`, stops after any timer once it says so: the rest stay due
  // for the next call.
  void run_due(Clock::time_point now, const std::function<bool()>& enough = {});
  std::size_t size() const { return callbacks_.size(); }

 private:
  struct Entry {
    Clock::time_point deadline;
    Id id;
    bool operator>(const Entry& o) const {
      return deadline != o.deadline ? deadline > o.deadline : id > o.id;
    }
  };
  void drop_cancelled();

  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::unordered_map<Id, std::function<void()>> callbacks_;
  Id next_id_ = 1;
};

}  // namespace lb
