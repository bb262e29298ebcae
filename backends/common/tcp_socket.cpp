#include "backends/common/tcp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

#include "engine/error.hpp"

namespace lb {

UniqueFd open_tcp_socket(const SocketAddress& address, SocketMode mode, std::error_code& ec) {
  const int flags = SOCK_CLOEXEC | (mode == SocketMode::non_blocking ? SOCK_NONBLOCK : 0);
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | flags, 0));
  if (!fd) ec = system_error_code(errno);
  return fd;
}

UniqueFd open_listener(const Endpoint& at, const ListenOptions& options, SocketMode mode,
                       std::error_code& ec) {
  SocketAddress address;
  if ((ec = resolve(at, address))) return {};
  UniqueFd fd = open_tcp_socket(address, mode, ec);
  if (ec) return {};
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (options.reuse_port &&
      ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    ec = system_error_code(errno);
    return {};
  }
  if (::bind(fd.get(), address.get(), address.length) != 0 ||
      ::listen(fd.get(), options.backlog) != 0) {
    ec = system_error_code(errno);
    return {};
  }
  return fd;
}

void set_tcp_nodelay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::uint16_t local_port_of(int fd) {
  SocketAddress address;
  socklen_t len = sizeof address.storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address.storage), &len) != 0) return 0;
  return port_of(address);
}

std::error_code socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  return err ? system_error_code(err) : std::error_code{};
}

}  // namespace lb
