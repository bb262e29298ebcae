#pragma once
// Ctrl-C (SIGINT) or SIGTERM during a measuring command: the attempt under
// way ends (every loop's run() returns, Loop::interrupt_all; libcurl's
// blocking transfers abort from their progress callback), no other starts,
// and the command keeps what it measured: the table, --json and --csv of
// the rounds that finished, marked interrupted, then exit status 130, as a
// shell reports a SIGINT. A second signal ends the process at once.
#include "tools/common/stop_on_signal.hpp"

namespace lb {

class Interruption {
 public:
  // Takes the signals for the process while alive: make it before any
  // thread starts (StopOnSignal).
  Interruption();
  static bool requested();

 private:
  StopOnSignal signals_;
};

}  // namespace lb
