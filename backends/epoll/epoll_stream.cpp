#include "backends/epoll/epoll_stream.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include "backends/common/tcp_socket.hpp"
#include "engine/callback_slot.hpp"
#include "engine/error.hpp"
#include "engine/loop.hpp"

namespace lb {
namespace {

// A few reads per readiness event keep one busy stream from starving others
// while saving epoll_wait calls on a fast one.
constexpr int kReadsPerEvent = 4;
constexpr std::size_t kMaxIov = 64;

}  // namespace

EpollStream::EpollStream(EpollBackend& backend, UniqueFd fd)
    : SocketStream(std::move(fd)), backend_(backend) {}

void EpollStream::connect(EpollBackend& backend, const Endpoint& to, ConnectCallback cb) {
  SocketAddress address;
  std::error_code ec = resolve(to, address);
  UniqueFd fd;
  if (!ec) fd = open_tcp_socket(address, SocketMode::non_blocking, ec);
  if (!ec && ::connect(fd.get(), address.get(), address.length) != 0 && errno != EINPROGRESS)
    ec = system_error_code(errno);
  if (ec) {
    backend.loop().defer([cb = std::move(cb), ec] { cb(ec, Stream{}); });
    return;
  }
  set_tcp_nodelay(fd.get());
  auto stream = std::make_shared<EpollStream>(backend, std::move(fd));
  stream->connecting_ = true;
  stream->connect_cb_ = std::move(cb);
  backend.adopt(stream);
  // Writability reports the outcome, even for a connect that finished at once.
  stream->update_interest();
}

Stream EpollStream::adopt_accepted(EpollBackend& backend, UniqueFd fd) {
  set_tcp_nodelay(fd.get());
  auto stream = std::make_shared<EpollStream>(backend, std::move(fd));
  backend.adopt(stream);
  return Stream(stream);
}

void EpollStream::update_interest() {
  if (closed_) return;
  std::uint32_t events = 0;
  if (reading_) events |= EPOLLIN | EPOLLRDHUP;
  if (connecting_ || !queue_.empty() || shutdown_cb_) events |= EPOLLOUT;
  backend_.set_events(fd_.get(), this, events, registered_);
}

void EpollStream::read_start(ReadCallback cb) {
  read_cb_ = std::move(cb);
  reading_ = true;
  if (!connecting_) update_interest();
}

void EpollStream::read_stop() {
  reading_ = false;
  update_interest();
}

void EpollStream::write(BufferList bufs, WriteCallback cb) {
  if (shut_down_ || shutdown_cb_) {
    backend_.loop().defer([cb = std::move(cb)] { cb(errc::shut_down); });
    return;
  }
  const bool was_idle = queue_.empty();
  queue_.push(std::move(bufs), std::move(cb));
  if (was_idle && !connecting_) write_now_or_later();
}

void EpollStream::shutdown(WriteCallback cb) {
  shutdown_cb_ = std::move(cb);
  if (queue_.empty() && !connecting_) write_now_or_later();
}

// Called from a user's write(): try the socket at once (the common case is
// that it takes everything), but run callbacks on the next turn.
void EpollStream::write_now_or_later() {
  std::vector<WriteCallback> done;
  std::error_code ec;
  flush(done, ec);
  update_interest();
  const bool drained = queue_.empty() && !done.empty() && !ec;
  if (done.empty()) return;
  backend_.loop().defer([self = shared_from_this(), done = std::move(done), ec, drained]() mutable {
    self->run_write_callbacks(done, ec, drained);
  });
}

EpollStream::Flush EpollStream::flush(std::vector<WriteCallback>& done, std::error_code& ec) {
  while (!queue_.empty()) {
    iovec iov[kMaxIov];
    std::size_t count = queue_.gather(kMaxIov, [&, i = std::size_t{0}](auto piece) mutable {
      iov[i++] = iovec{const_cast<std::byte*>(piece.data()), piece.size()};
    });
    if (count == 0) {  // only empty buffers left
      queue_.consume(0, done);
      continue;
    }
    std::size_t wanted = 0;
    for (std::size_t i = 0; i < count; ++i)
      wanted += iov[i].iov_len;
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return Flush::blocked;
      ec = system_error_code(errno);
      for (auto& cb : queue_.take_all())
        done.push_back(std::move(cb));
      if (shutdown_cb_) done.push_back(std::move(shutdown_cb_));
      shutdown_cb_ = nullptr;
      return Flush::failed;
    }
    queue_.consume(static_cast<std::size_t>(n), done);
    if (static_cast<std::size_t>(n) < wanted) return Flush::blocked;
  }
  if (shutdown_cb_ && !shut_down_) {
    shut_down_ = true;
    if (::shutdown(fd_.get(), SHUT_WR) != 0) ec = system_error_code(errno);
    done.push_back(std::move(shutdown_cb_));
    shutdown_cb_ = nullptr;
  }
  return Flush::progress;
}

void EpollStream::on_events(std::uint32_t events) {
  auto self = shared_from_this();  // a callback may close us
  if (connecting_) {
    on_connected();
    return;
  }
  if (reading_ && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) on_readable();
  if (closed_) return;
  if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && (!queue_.empty() || shutdown_cb_)) {
    std::vector<WriteCallback> done;
    std::error_code ec;
    const bool had_data = !queue_.empty();
    flush(done, ec);
    update_interest();
    run_write_callbacks(done, ec, had_data && queue_.empty() && !ec);
  }
  update_interest();
}

void EpollStream::on_connected() {
  connecting_ = false;
  auto cb = std::move(connect_cb_);
  connect_cb_ = nullptr;
  if (auto ec = socket_error(fd_.get())) {
    close();
    cb(ec, Stream{});
    return;
  }
  update_interest();
  if (!queue_.empty() || shutdown_cb_) write_now_or_later();
  cb({}, Stream(shared_from_this()));
}

void EpollStream::on_readable() {
  const auto buffer = backend_.read_buffer();
  for (int i = 0; i < kReadsPerEvent && reading_ && !closed_; ++i) {
    const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n > 0) {
      invoke_slot(read_cb_, std::error_code{}, buffer.first(static_cast<std::size_t>(n)));
      if (static_cast<std::size_t>(n) < buffer.size()) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    const std::error_code ec = n == 0 ? make_error_code(errc::eof) : system_error_code(errno);
    reading_ = false;
    update_interest();
    invoke_slot(read_cb_, ec, std::span<std::byte>{});
    return;
  }
}

void EpollStream::close() {
  if (closed_) return;
  backend_.set_events(fd_.get(), this, 0, registered_);
  closed_ = true;
  fd_.reset();
  backend_.retire(this);
}

void EpollStream::release_callbacks() {
  drop_callbacks();
}

}  // namespace lb
