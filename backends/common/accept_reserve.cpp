#include "backends/common/accept_reserve.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace lb {
namespace {

UniqueFd open_spare() {
  return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

}  // namespace

AcceptReserve::AcceptReserve() : spare_(open_spare()) {}

bool AcceptReserve::out_of_descriptors(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

std::size_t AcceptReserve::shed(int listen_fd) {
  spare_.reset();
  std::size_t shed = 0;
  for (;;) {
    // Polled first: io_uring's listener socket is a blocking one.
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1 || !(p.revents & POLLIN)) break;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      break;  // still none free (another thread took it): the next failure tries again
    }
    ::close(fd);
    ++shed;
  }
  // Taken again for the next time; if another thread got there first, the
  // next shed still accepts what it can.
  spare_ = open_spare();
  return shed;
}

}  // namespace lb
