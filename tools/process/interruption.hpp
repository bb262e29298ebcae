#pragma once
// Ctrl-C (SIGINT) or SIGTERM during a measuring command: the attempt under
// way ends (every loop's run() returns, Loop::interrupt_all; libcurl's
// blocking clients stop between requests), no other starts, and the
// command keeps what it measured: the table, --json and --csv of the
// rounds that finished, marked interrupted, then exit status 130, as a
// shell reports a SIGINT. A second signal ends the process at once.
//
// A signal handler that only stores flags, not a thread that waits for the
// signal: the commands fork their servers, and a process that forks while
// another of its threads holds a lock (the loader's, the allocator's)
// hands its child that lock for good.
namespace lb {

class Interruption {
 public:
  // Handles the signals for the process while alive.
  Interruption();
  ~Interruption();
  Interruption(const Interruption&) = delete;
  Interruption& operator=(const Interruption&) = delete;
  static bool requested();
};

// In a forked child that does not exec (a built-in server): the signals'
// default actions again, so that SIGTERM ends it.
void default_stop_signals();

}  // namespace lb
