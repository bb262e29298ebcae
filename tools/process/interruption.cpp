#include "tools/process/interruption.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>

#include "engine/loop.hpp"

namespace lb {
namespace {

std::atomic<bool> interruption_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "stored from a signal handler");

extern "C" void on_stop_signal(int sig) {
  if (interruption_requested.exchange(true)) std::_Exit(128 + sig);
  Loop::interrupt_all();
}

}  // namespace

Interruption::Interruption() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

Interruption::~Interruption() {
  default_stop_signals();
}

bool Interruption::requested() {
  return interruption_requested.load();
}

void default_stop_signals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace lb
