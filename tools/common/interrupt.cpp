#include "tools/common/interrupt.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

namespace lb {
namespace {

std::atomic<bool> interrupt_seen{false};

sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

bool interrupt_requested() {
  return interrupt_seen.load();
}

InterruptGuard::InterruptGuard() {
  const sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    int sig = 0;
    sigwait(&set, &sig);
    if (exiting_) return;
    interrupt_seen = true;
    static const char kFirst[] =
        "\nbench: interrupted: the repeat under way finishes, then the table and the results "
        "of what finished; Ctrl-C again quits at once\n";
    (void)!::write(STDERR_FILENO, kFirst, sizeof kFirst - 1);
    sigwait(&set, &sig);
    if (exiting_) return;
    ::_exit(130);
  });
}

InterruptGuard::~InterruptGuard() {
  exiting_ = true;
  pthread_kill(thread_.native_handle(), SIGTERM);  // wakes sigwait()
  thread_.join();
}

}  // namespace lb
