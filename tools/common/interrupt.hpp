#pragma once
// Ctrl-C (SIGINT) or SIGTERM during a measuring command does not throw its
// finished rows away: the first asks the command to finish the repeat
// under way and run no more, so that it prints the table and writes the
// results of what finished (rows cut short say "interrupted") and exits
// 130; a second quits at once. While an InterruptGuard lives, the signals
// are blocked in every thread it precedes and taken by a helper thread.
// The built-in server's process has a process group of its own (it stops
// on SIGTERM from bench), so a Ctrl-C in the terminal does not cut the
// repeat under way.
// Windows: Ctrl-C ends the process, as before.
#include <atomic>
#include <thread>

namespace lb {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  std::atomic<bool> exiting_{false};
  std::thread thread_;
};

// Whether a first Ctrl-C (or SIGTERM) came since the guard was made.
bool interrupt_requested();

}  // namespace lb
