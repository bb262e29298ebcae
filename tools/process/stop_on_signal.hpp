#pragma once
// Stops loops on SIGINT or SIGTERM: the signals are blocked in the calling
// thread (and threads it starts later) and taken by sigwait() in a helper
// thread, which runs `on_signal` (typically loop.stop_from_any_thread()); a
// second signal ends the process at once (exit status 128 + the signal).
// No async-signal-safety puzzles. Windows: the console's Ctrl-C handler,
// and the stop scopes of the built-in server's thread (windows/stop_scope.hpp).
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "engine/loop.hpp"

namespace lb {

class StopOnSignal {
 public:
  explicit StopOnSignal(Loop& loop);
  // Runs `on_signal` on the helper thread.
  explicit StopOnSignal(std::function<void()> on_signal);
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  bool signalled() const { return signalled_; }

 private:
  std::atomic<bool> exiting_{false};
  std::atomic<bool> signalled_{false};
  std::thread thread_;
  std::shared_ptr<void> registered_;  // Windows: its entry in the stop scopes
};

}  // namespace lb
