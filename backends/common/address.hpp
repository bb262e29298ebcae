#pragma once
// Endpoint -> socket address, shared by every backend. Resolution may block
// (getaddrinfo); it only happens when a connection or listener is set up.
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <sys/socket.h>
#endif

#include <cstdint>
#include <system_error>

#include "engine/endpoint.hpp"

namespace lb {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
};

// Numeric hosts and names (first TCP result). lb::errc::bad_address when the
// host cannot be resolved.
std::error_code resolve(const Endpoint& endpoint, SocketAddress& out);
// The port of an IPv4 or IPv6 address, 0 for anything else.
std::uint16_t port_of(const SocketAddress& address);

}  // namespace lb
