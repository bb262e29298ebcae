#pragma once
// Plain POSIX TCP socket set-up for the backends that own their sockets'
// syscalls (epoll, io_uring). Every function reports errno as error_code.
#include <cstdint>
#include <system_error>

#include "backends/common/address.hpp"
#include "engine/backend.hpp"
#include "engine/unique_fd.hpp"

namespace lb {

// Readiness backends want non-blocking sockets. io_uring wants blocking ones:
// on an O_NONBLOCK socket it returns -EAGAIN from SENDMSG instead of waiting
// for room (seen on Linux 6.18), while on a blocking one it waits in the
// kernel without blocking us.
enum class SocketMode { non_blocking, blocking };

// Close-on-exec TCP socket of the address's family.
UniqueFd open_tcp_socket(const SocketAddress& address, SocketMode mode, std::error_code& ec);
// Bound and listening.
UniqueFd open_listener(const Endpoint& at, const ListenOptions& options, SocketMode mode,
                       std::error_code& ec);
// Sockets we own send small writes at once: benchmarks measure latency.
void set_tcp_nodelay(int fd);
std::uint16_t local_port_of(int fd);
// The pending error of a socket (SO_ERROR), e.g. after a connect.
std::error_code socket_error(int fd);

}  // namespace lb
