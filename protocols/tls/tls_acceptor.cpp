#include "protocols/tls/tls_acceptor.hpp"

namespace lb::tls {

void TlsAcceptor::accept(Stream stream, ReadyCallback ready) {
  const auto id = next_id_++;
  handshakes_[id].started = Clock::now();
  auto handshake = start_tls(loop_, std::move(stream), ctx_, Role::server, "",
                             [this, id, ready = std::move(ready)](std::error_code ec, Stream s) {
                               handshakes_.erase(id);  // it has ended: nothing to abandon
                               ready(ec, std::move(s));
                             });
  // Kept unless it ended inside start_tls (then dropping it does nothing).
  if (auto it = handshakes_.find(id); it != handshakes_.end())
    it->second.handshake = std::move(handshake);
}

std::size_t TlsAcceptor::abandon_older_than(Clock::duration limit) {
  const auto now = Clock::now();
  std::size_t abandoned = 0;
  for (auto it = handshakes_.begin(); it != handshakes_.end();) {
    if (now - it->second.started <= limit) {
      ++it;
      continue;
    }
    ++abandoned;
    it = handshakes_.erase(it);
  }
  return abandoned;
}

}  // namespace lb::tls
