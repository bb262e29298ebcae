#include "backends/common/socket_stream.hpp"

#include "backends/common/tcp_socket.hpp"
#include "engine/callback_slot.hpp"

namespace lb {

std::uint16_t SocketStream::local_port() const {
  return fd_ ? local_port_of(fd_.get()) : 0;
}

void SocketStream::run_write_callbacks(std::vector<WriteCallback>& done, std::error_code ec,
                                       bool drained) {
  for (auto& cb : done) {
    if (stream_closed()) return;
    if (cb) cb(ec);
  }
  if (drained && !stream_closed() && queue_.empty() && drain_cb_) invoke_slot(drain_cb_);
}

void SocketStream::drop_callbacks() {
  connect_cb_ = nullptr;
  read_cb_ = nullptr;
  drain_cb_ = nullptr;
  shutdown_cb_ = nullptr;
  queue_.take_all();
}

}  // namespace lb
