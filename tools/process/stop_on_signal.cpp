#include "tools/process/stop_on_signal.hpp"

#include <pthread.h>
#include <signal.h>

#include <cstdlib>

namespace lb {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

StopOnSignal::StopOnSignal(Loop& loop) : StopOnSignal([&loop] { loop.stop_from_any_thread(); }) {}

StopOnSignal::StopOnSignal(std::function<void()> on_signal) {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set, on_signal = std::move(on_signal)] {
    int sig = 0;
    sigwait(&set, &sig);
    if (exiting_) return;
    signalled_ = true;
    on_signal();
    // A second Ctrl-C means now: whatever the first one is still waiting for.
    sigwait(&set, &sig);
    if (exiting_) return;
    std::_Exit(128 + sig);
  });
}

StopOnSignal::~StopOnSignal() {
  exiting_ = true;
  pthread_kill(thread_.native_handle(), SIGTERM);  // wakes sigwait()
  thread_.join();
}

}  // namespace lb
