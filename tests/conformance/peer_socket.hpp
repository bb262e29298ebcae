#pragma once
// A socket of the test's own, outside every loop: a plain blocking peer as
// another process would hold, or the two ends of a connection to watch.
// POSIX sockets or Winsock (peer_socket.cpp); Windows has no socketpair, so
// a pair is a loopback TCP connection everywhere.
#include <cstddef>
#include <cstdint>
#include <utility>

#include "engine/backend.hpp"

namespace lb::test {

class PeerSocket {
 public:
  PeerSocket() = default;
  ~PeerSocket() { reset(); }
  PeerSocket(PeerSocket&& o) noexcept : s_(std::exchange(o.s_, kNone)) {}
  PeerSocket& operator=(PeerSocket&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, kNone);
    }
    return *this;
  }

  // A blocking connection to 127.0.0.1:port (REQUIRE'd to succeed).
  static PeerSocket connect_local(std::uint16_t port);
  // Both ends of one loopback connection, non-blocking.
  static std::pair<PeerSocket, PeerSocket> pair();

  SocketHandle get() const { return s_; }
  explicit operator bool() const { return s_ != kNone; }
  // send/recv without SIGPIPE: bytes moved, 0 at EOF, -1 on an error or
  // when a non-blocking socket would block.
  long send(const void* data, std::size_t n);
  long recv(void* data, std::size_t n);
  void shutdown_write();
  void shutdown_both();
  // SO_LINGER 0: closing sends RST instead of FIN.
  void linger_zero();
  void reset();

 private:
  explicit PeerSocket(SocketHandle s) : s_(s) {}
  static constexpr SocketHandle kNone = static_cast<SocketHandle>(-1);
  SocketHandle s_ = kNone;
};

}  // namespace lb::test
