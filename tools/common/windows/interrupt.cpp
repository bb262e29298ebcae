// Windows: Ctrl-C ends the process as the console's default handler does;
// no rows are kept (tools/common/interrupt.hpp).
#include "tools/common/interrupt.hpp"

namespace lb {

InterruptGuard::InterruptGuard() = default;
InterruptGuard::~InterruptGuard() = default;

bool interrupt_requested() {
  return false;
}

}  // namespace lb
