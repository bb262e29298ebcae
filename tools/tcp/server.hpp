#pragma once
// The built-in `bench tcp` server (tcp_protocol.hpp), on any backend.
#include <cstdint>
#include <map>
#include <memory>

#include "engine/connection_set.hpp"
#include "engine/loop.hpp"

namespace lb {

class TcpBenchServer {
 public:
  explicit TcpBenchServer(Loop& loop);
  ~TcpBenchServer();
  // Throws std::system_error when the address cannot be bound.
  void listen(const Endpoint& at, bool reuse_port = false);
  std::uint16_t port() const { return listener_.local_port(); }
  // Connections dropped for a bad header or an I/O error.
  std::uint64_t failed_sessions() const { return failed_; }
  std::uint64_t finished_sessions() const { return finished_; }

 private:
  class Session;
  void finish(std::uint64_t id, bool ok);
  SharedBytes chunk_of(std::uint32_t size);

  Loop& loop_;
  Listener listener_;
  ConnectionSet<Session> sessions_;
  std::map<std::uint32_t, SharedBytes> chunks_;
  std::uint64_t failed_ = 0;
  std::uint64_t finished_ = 0;
};

}  // namespace lb
