#include "backends/epoll/epoll_listener.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "backends/common/tcp_socket.hpp"
#include "backends/epoll/epoll_stream.hpp"
#include "engine/callback_slot.hpp"

namespace lb {
namespace {
constexpr int kAcceptsPerEvent = 64;
}

EpollListener::EpollListener(EpollBackend& backend, UniqueFd fd, AcceptCallback cb)
    : backend_(backend),
      fd_(std::move(fd)),
      port_(local_port_of(fd_.get())),
      accept_cb_(std::move(cb)) {}

std::shared_ptr<ListenerImpl> EpollListener::open(EpollBackend& backend, const Endpoint& at,
                                                  const ListenOptions& options, AcceptCallback cb,
                                                  std::error_code& ec) {
  UniqueFd fd = open_listener(at, options, SocketMode::non_blocking, ec);
  if (ec) return nullptr;
  auto listener = std::make_shared<EpollListener>(backend, std::move(fd), std::move(cb));
  backend.adopt(listener);
  backend.set_events(listener->fd_.get(), listener.get(), EPOLLIN, listener->registered_);
  return listener;
}

void EpollListener::on_events(std::uint32_t) {
  auto self = shared_from_this();
  for (int i = 0; i < kAcceptsPerEvent && !closed_; ++i) {
    UniqueFd fd(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == ECONNABORTED || errno == EINTR) continue;
      // Out of descriptors, the waiting connections are shed rather than
      // left to keep the socket readable; EAGAIN ends the batch.
      if (AcceptReserve::out_of_descriptors(errno)) reserve_.shed(fd_.get());
      return;
    }
    invoke_slot(accept_cb_, EpollStream::adopt_accepted(backend_, std::move(fd)));
  }
}

void EpollListener::close() {
  if (closed_) return;
  backend_.set_events(fd_.get(), this, 0, registered_);
  closed_ = true;
  fd_.reset();
  backend_.retire(this);
}

}  // namespace lb
