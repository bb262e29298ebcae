#pragma once
// Stops a loop on SIGINT or SIGTERM: the signals are blocked in the calling
// thread (and threads it starts later) and taken by sigwait() in a helper
// thread, which posts stop() to the loop. No async-signal-safety puzzles.
#include <atomic>
#include <thread>

#include "engine/loop.hpp"

namespace lb {

class StopOnSignal {
 public:
  explicit StopOnSignal(Loop& loop);
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  bool signalled() const { return signalled_; }

 private:
  std::atomic<bool> exiting_{false};
  std::atomic<bool> signalled_{false};
  std::thread thread_;
};

}  // namespace lb
