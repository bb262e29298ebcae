#pragma once
#include <functional>
#include <utility>

namespace lb {

// Calls the callback stored in `slot` in a way that lets it replace or clear
// that very slot while it runs (a protocol switching read handlers after a
// handshake, a stream closed from its own callback): the running callable is
// held in a local, and put back only if nobody stored a new one meanwhile.
template <class Sig, class... Args>
void invoke_slot(std::function<Sig>& slot, Args&&... args) {
  auto running = std::move(slot);
  slot = nullptr;
  running(std::forward<Args>(args)...);
  if (!slot) slot = std::move(running);
}

}  // namespace lb
