#include "backends/uring/uring_listener.hpp"

#include <poll.h>

#include "backends/common/tcp_socket.hpp"
#include "backends/uring/uring_stream.hpp"
#include "engine/callback_slot.hpp"

namespace lb {

UringListener::UringListener(UringBackend& backend, UniqueFd fd, AcceptCallback cb)
    : backend_(backend),
      fd_(std::move(fd)),
      port_(local_port_of(fd_.get())),
      accept_cb_(std::move(cb)) {
  backend_.handle_opened();
}

std::shared_ptr<ListenerImpl> UringListener::open(UringBackend& backend, const Endpoint& at,
                                                  const ListenOptions& options, AcceptCallback cb,
                                                  std::error_code& ec) {
  UniqueFd fd = open_listener(at, options, SocketMode::blocking, ec);
  if (ec) return nullptr;
  auto listener = std::make_shared<UringListener>(backend, std::move(fd), std::move(cb));
  listener->arm();
  return listener;
}

void UringListener::arm() {
  io_uring_sqe* sqe = backend_.sqe();
  io_uring_prep_multishot_accept(sqe, fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
  backend_.track(sqe, shared_from_this(), UringOp::accept);
}

// Waits for the next connection without taking a descriptor: io_uring's
// accept reserves the new descriptor before it looks at the backlog, so at
// the limit a re-armed accept fails at once, forever.
void UringListener::arm_readable() {
  io_uring_sqe* sqe = backend_.sqe();
  io_uring_prep_poll_add(sqe, fd_.get(), POLLIN);
  backend_.track(sqe, shared_from_this(), UringOp::poll);
}

void UringListener::on_completion(UringOp op, std::uint64_t, int res, std::uint32_t flags) {
  auto self = shared_from_this();
  if (op == UringOp::poll) {
    if (!closed_) arm();
    return;
  }
  bool out_of_descriptors = false;
  if (res >= 0) {
    invoke_slot(accept_cb_, UringStream::adopt_accepted(backend_, UniqueFd(res)));
  } else if (AcceptReserve::out_of_descriptors(-res) && !closed_) {
    // The waiting connections are shed; other errors (ECONNABORTED) drop
    // that one attempt, and the listener carries on.
    reserve_.shed(fd_.get());
    out_of_descriptors = true;
  }
  if (closed_ || (flags & IORING_CQE_F_MORE)) return;
  if (out_of_descriptors)
    arm_readable();
  else
    arm();
}

void UringListener::close() {
  if (closed_) return;
  closed_ = true;
  if (in_flight() > 0) backend_.cancel_fd(fd_.get());
  backend_.close_when_quiescent(*this);
}

void UringListener::on_quiescent() {
  fd_.reset();
  release_callbacks();
}

}  // namespace lb
