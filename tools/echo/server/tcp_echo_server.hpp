#pragma once
// bench echo's server over plain TCP: it echoes every byte it reads, as
// vmbench's echo servers do, so it serves our length-prefixed messages
// (protocol.hpp) and any other client's alike. A connection whose client
// stops reading stops being read once 1 MiB of echo waits to be written.
#include <cstdint>
#include <memory>

#include "engine/connection_set.hpp"
#include "engine/loop.hpp"

namespace lb {

class TcpEchoServer {
 public:
  explicit TcpEchoServer(Loop& loop);
  ~TcpEchoServer();
  // Throws std::system_error when the address cannot be bound.
  void listen(const Endpoint& at, bool reuse_port = false);
  std::uint16_t port() const { return listener_.local_port(); }
  std::uint64_t connections() const { return connections_.accepted(); }
  std::uint64_t failed() const { return failed_; }
  std::uint64_t bytes_echoed() const { return bytes_; }

 private:
  class Connection;
  void finish(std::uint64_t id, bool ok);

  Loop& loop_;
  Listener listener_;
  ConnectionSet<Connection> connections_;
  std::uint64_t failed_ = 0, bytes_ = 0;
};

}  // namespace lb
