#pragma once
// Plain POSIX TCP socket set-up for the backends that own their sockets'
// syscalls (epoll, io_uring). Every function reports errno as error_code.
#include <cstdint>
#include <system_error>

#include "backends/common/address.hpp"
#include "backends/common/unique_fd.hpp"
#include "engine/backend.hpp"

namespace lb {

// Non-blocking, close-on-exec TCP socket of the address's family.
UniqueFd open_tcp_socket(const SocketAddress& address, std::error_code& ec);
// Bound and listening, non-blocking.
UniqueFd open_listener(const Endpoint& at, const ListenOptions& options, std::error_code& ec);
// Sockets we own send small writes at once: benchmarks measure latency.
void set_tcp_nodelay(int fd);
std::uint16_t local_port_of(int fd);
// The pending error of a socket (SO_ERROR), e.g. after a connect.
std::error_code socket_error(int fd);

}  // namespace lb
