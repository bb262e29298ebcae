#include "backends/uring/uring_stream.hpp"

#include <cerrno>

#include "backends/common/tcp_socket.hpp"
#include "engine/callback_slot.hpp"
#include "engine/error.hpp"
#include "engine/loop.hpp"

namespace lb {

UringStream::UringStream(UringBackend& backend, UniqueFd fd)
    : SocketStream(std::move(fd)), backend_(backend) {
  backend_.handle_opened();
}

UringStream::~UringStream() {
  backend_.handle_released();
}

void UringStream::connect(UringBackend& backend, const Endpoint& to, ConnectCallback cb) {
  SocketAddress address;
  std::error_code ec = resolve(to, address);
  UniqueFd fd;
  if (!ec) fd = open_tcp_socket(address, SocketMode::blocking, ec);
  if (ec) {
    backend.loop().defer([cb = std::move(cb), ec] { cb(ec, Stream{}); });
    return;
  }
  set_tcp_nodelay(fd.get());
  auto stream = std::make_shared<UringStream>(backend, std::move(fd));
  stream->peer_ = address;
  stream->connecting_ = true;
  stream->connect_cb_ = std::move(cb);
  io_uring_sqe* sqe = backend.sqe();
  io_uring_prep_connect(sqe, stream->fd_.get(), stream->peer_.get(), stream->peer_.length);
  backend.track(sqe, stream, UringOp::connect);
}

Stream UringStream::adopt_accepted(UringBackend& backend, UniqueFd fd) {
  set_tcp_nodelay(fd.get());
  return Stream(std::make_shared<UringStream>(backend, std::move(fd)));
}

void UringStream::on_completion(UringOp op, std::uint64_t /*user_data*/, int res,
                                std::uint32_t flags) {
  auto self = shared_from_this();
  switch (op) {
    case UringOp::connect:
      on_connect(res);
      break;
    case UringOp::recv:
      // Only one RECV is ever armed; its last completion disarms it.
      if (!(flags & IORING_CQE_F_MORE)) recv_op_ = 0;
      on_recv(res, flags);
      break;
    case UringOp::send:
      on_send(res);
      break;
    default:
      break;
  }
}

void UringStream::on_connect(int res) {
  connecting_ = false;
  auto cb = std::move(connect_cb_);
  connect_cb_ = nullptr;
  if (res < 0) {
    close();
    cb(system_error_code(-res), Stream{});
    return;
  }
  if (reading_) arm_recv();
  if (!queue_.empty())
    submit_send();
  else if (shutdown_cb_) {
    std::vector<WriteCallback> done;
    std::error_code ec;
    maybe_shutdown(done, ec);
    backend_.loop().defer([self = shared_from_this(), done = std::move(done), ec]() mutable {
      self->run_write_callbacks(done, ec, false);
    });
  }
  cb({}, Stream(shared_from_this()));
}

void UringStream::arm_recv() {
  if (recv_op_ || read_ended_ || closed_ || connecting_) return;
  io_uring_sqe* sqe = backend_.sqe();
  io_uring_prep_recv_multishot(sqe, fd_.get(), nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = UringBackend::kBufferGroup;
  recv_op_ = backend_.track(sqe, shared_from_this(), UringOp::recv);
}

void UringStream::read_start(ReadCallback cb) {
  read_cb_ = std::move(cb);
  reading_ = true;
  if (!stash_.empty() || stashed_end_) {
    if (!stash_delivery_scheduled_) {
      stash_delivery_scheduled_ = true;
      backend_.loop().defer([self = shared_from_this()] { self->deliver_stash(); });
    }
    return;
  }
  arm_recv();
}

// Stops delivery at once; the armed RECV is cancelled, and whatever it still
// completes with is kept for the next read_start().
void UringStream::read_stop() {
  reading_ = false;
  if (recv_op_) backend_.cancel_op(recv_op_);
}

void UringStream::deliver(std::error_code ec, std::span<std::byte> data) {
  if (!reading_ || !stash_.empty() || stashed_end_) {
    if (ec)
      stashed_end_ = ec;
    else
      stash_.insert(stash_.end(), data.begin(), data.end());
    return;
  }
  if (ec) reading_ = false;
  invoke_slot(read_cb_, ec, data);
}

void UringStream::deliver_stash() {
  stash_delivery_scheduled_ = false;
  if (closed_ || !reading_) return;
  if (!stash_.empty()) {
    Bytes data = std::move(stash_);
    stash_.clear();
    invoke_slot(read_cb_, std::error_code{}, std::span<std::byte>(data));
  }
  if (closed_ || !reading_) return;
  if (stashed_end_) {
    reading_ = false;
    invoke_slot(read_cb_, std::exchange(stashed_end_, {}), std::span<std::byte>{});
    return;
  }
  arm_recv();
}

void UringStream::on_recv(int res, std::uint32_t flags) {
  const bool more = flags & IORING_CQE_F_MORE;
  if (res > 0) {
    const auto bid = static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
    deliver({}, backend_.provided_buffer(bid, static_cast<std::size_t>(res)));
    backend_.recycle_buffer(bid);
  } else if (res == 0) {
    read_ended_ = true;
    deliver(errc::eof, {});
  } else if (res != -ENOBUFS && res != -ECANCELED) {
    read_ended_ = true;
    deliver(system_error_code(-res), {});
  }
  // A multishot RECV ends on ENOBUFS (every provided buffer is in use; they
  // were recycled above) or on cancellation: re-arm if still reading.
  if (!more && !closed_ && reading_ && !recv_op_) arm_recv();
}

void UringStream::write(BufferList bufs, WriteCallback cb) {
  if (shut_down_ || shutdown_cb_) {
    backend_.loop().defer([cb = std::move(cb)] { cb(errc::shut_down); });
    return;
  }
  queue_.push(std::move(bufs), std::move(cb));
  if (!send_in_flight_ && !connecting_) submit_send();
}

void UringStream::shutdown(WriteCallback cb) {
  shutdown_cb_ = std::move(cb);
  if (queue_.empty() && !send_in_flight_ && !connecting_) {
    std::vector<WriteCallback> done;
    std::error_code ec;
    maybe_shutdown(done, ec);
    backend_.loop().defer([self = shared_from_this(), done = std::move(done), ec]() mutable {
      self->run_write_callbacks(done, ec, false);
    });
  }
}

void UringStream::submit_send() {
  std::size_t count = queue_.gather(kMaxIov, [this, i = std::size_t{0}](auto piece) mutable {
    iov_[i++] = iovec{const_cast<std::byte*>(piece.data()), piece.size()};
  });
  if (count == 0) {
    // Only empty writes are queued: complete them on the next turn.
    std::vector<WriteCallback> done;
    queue_.consume(0, done);
    backend_.loop().defer([self = shared_from_this(), done = std::move(done)]() mutable {
      self->run_write_callbacks(done, {}, false);
    });
    return;
  }
  msg_ = msghdr{};
  msg_.msg_iov = iov_;
  msg_.msg_iovlen = count;
  io_uring_sqe* sqe = backend_.sqe();
  io_uring_prep_sendmsg(sqe, fd_.get(), &msg_, MSG_NOSIGNAL);
  backend_.track(sqe, shared_from_this(), UringOp::send);
  send_in_flight_ = true;
}

void UringStream::on_send(int res) {
  send_in_flight_ = false;
  std::vector<WriteCallback> done;
  std::error_code ec;
  const bool had_data = !queue_.empty();
  if (res < 0) {
    ec = system_error_code(-res);
    done = queue_.take_all();
    if (shutdown_cb_) done.push_back(std::exchange(shutdown_cb_, nullptr));
  } else {
    queue_.consume(static_cast<std::size_t>(res), done);
    if (!queue_.empty())
      submit_send();
    else
      maybe_shutdown(done, ec);
  }
  run_write_callbacks(done, ec, had_data && queue_.empty() && !ec);
}

void UringStream::maybe_shutdown(std::vector<WriteCallback>& done, std::error_code& ec) {
  if (!shutdown_cb_ || shut_down_) return;
  shut_down_ = true;
  // shutdown(2) never blocks; an io_uring op would only add a round trip.
  if (::shutdown(fd_.get(), SHUT_WR) != 0) ec = system_error_code(errno);
  done.push_back(std::exchange(shutdown_cb_, nullptr));
}

void UringStream::close() {
  if (closed_) return;
  closed_ = true;
  if (in_flight() > 0) backend_.cancel_fd(fd_.get());
  backend_.close_when_quiescent(*this);
}

void UringStream::on_quiescent() {
  fd_.reset();
  release_callbacks();
}

void UringStream::release_callbacks() {
  drop_callbacks();
}

}  // namespace lb
