#include "tools/common/interruption.hpp"

#include <atomic>

namespace lb {
namespace {

std::atomic<bool> interruption_requested{false};

}  // namespace

Interruption::Interruption()
    : signals_([] {
        interruption_requested = true;
        Loop::interrupt_all();
      }) {}

bool Interruption::requested() {
  return interruption_requested.load();
}

}  // namespace lb
