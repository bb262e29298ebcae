#include "backends/libuv/libuv_backend.hpp"

#include <csignal>
#include <system_error>

#include "backends/libuv/libuv_listener.hpp"
#include "backends/libuv/libuv_stream.hpp"
#include "backends/libuv/libuv_watch.hpp"
#include "engine/error.hpp"
#include "engine/loop.hpp"

namespace lb {
namespace {
constexpr std::size_t kReadBufferBytes = 256 * 1024;

#ifdef _WIN32
// libuv's own error numbers (negated), with libuv's messages. The ones
// protocols and tests compare with std::errc are equivalent to it; the C
// runtime's strerror knows none of those (its "Unknown error").
class LibuvCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "libuv"; }
  std::string message(int value) const override { return uv_strerror(-value); }
  std::error_condition default_error_condition(int value) const noexcept override {
    switch (-value) {
      case UV_ECONNRESET:
        return std::errc::connection_reset;
      case UV_ECONNREFUSED:
        return std::errc::connection_refused;
      case UV_ECONNABORTED:
        return std::errc::connection_aborted;
      case UV_EADDRINUSE:
        return std::errc::address_in_use;
      case UV_EADDRNOTAVAIL:
        return std::errc::address_not_available;
      case UV_EPIPE:
        return std::errc::broken_pipe;
      case UV_ETIMEDOUT:
        return std::errc::timed_out;
      case UV_ECANCELED:
        return std::errc::operation_canceled;
      case UV_ENETUNREACH:
        return std::errc::network_unreachable;
      case UV_EHOSTUNREACH:
        return std::errc::host_unreachable;
      case UV_EMFILE:
        return std::errc::too_many_files_open;
      case UV_ENOBUFS:
        return std::errc::no_buffer_space;
      case UV_ENOTSUP:
        return std::errc::not_supported;
      case UV_EINVAL:
        return std::errc::invalid_argument;
      case UV_ENOTCONN:
        return std::errc::not_connected;
      default:
        return {value, *this};
    }
  }
};

const std::error_category& libuv_category() {
  static const LibuvCategory category;
  return category;
}
#endif

}  // namespace

std::error_code uv_error_code(int status) {
  if (status == UV_EOF) return errc::eof;
#ifdef _WIN32
  return {-status, libuv_category()};
#else
  return system_error_code(-status);  // libuv errors are -errno on Unix
#endif
}

LibuvBackend::LibuvBackend(Loop& loop) : loop_(loop), read_buffer_(kReadBufferBytes) {
#ifndef _WIN32
  // libuv writes with write(2), not send(MSG_NOSIGNAL): a peer's reset
  // would kill the process with SIGPIPE. libuv leaves ignoring it to its
  // users (Node does the same); the error then arrives as EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
#endif
  if (int rc = uv_loop_init(&uv_loop_); rc != 0)
    throw std::system_error(uv_error_code(rc), "uv_loop_init");
  uv_async_init(&uv_loop_, &wake_, [](uv_async_t*) {});
  uv_timer_init(&uv_loop_, &wait_timer_);
  // The wait timer must not keep uv_run() from returning on its own.
  uv_unref(reinterpret_cast<uv_handle_t*>(&wait_timer_));
}

LibuvBackend::~LibuvBackend() {
  poll_pool_.close_all();
  uv_walk(
      &uv_loop_,
      [](uv_handle_t* handle, void*) {
        if (handle->data)
          static_cast<LibuvSource*>(handle->data)->teardown();
        else if (!uv_is_closing(handle))
          uv_close(handle, nullptr);
      },
      nullptr);
  while (uv_loop_close(&uv_loop_) == UV_EBUSY)
    uv_run(&uv_loop_, UV_RUN_NOWAIT);
}

uv_buf_t LibuvBackend::read_buffer() {
  return uv_buf_init(read_buffer_.data(), static_cast<unsigned>(read_buffer_.size()));
}

void LibuvBackend::run_once(std::optional<std::chrono::nanoseconds> timeout) {
  if (timeout && timeout->count() == 0) {
    uv_run(&uv_loop_, UV_RUN_NOWAIT);
    return;
  }
  if (timeout) {
    // Round up: waking early would spin until the engine timer is due.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
    // uv_run (libuv 1.44) runs due timers before it polls, and then polls
    // without a deadline if no timer is left. A one-shot wait timer that
    // fell due in between (the millisecond clock ticked, or this thread was
    // preempted) would leave the poll waiting forever: the conformance
    // suite hung so about once in a hundred runs. A repeating timer is
    // re-armed when it fires early, so the poll always has a deadline.
    uv_update_time(&uv_loop_);
    const auto period = static_cast<std::uint64_t>(ms);
    uv_timer_start(
        &wait_timer_, [](uv_timer_t*) {}, period, period);
    uv_ref(reinterpret_cast<uv_handle_t*>(&wait_timer_));
  }
  uv_run(&uv_loop_, UV_RUN_ONCE);
  if (timeout) {
    uv_timer_stop(&wait_timer_);
    uv_unref(reinterpret_cast<uv_handle_t*>(&wait_timer_));
  }
}

void LibuvBackend::wake() {
  uv_async_send(&wake_);
}

void LibuvBackend::connect(const Endpoint& to, ConnectCallback cb) {
  LibuvStream::connect(*this, to, std::move(cb));
}

std::shared_ptr<ListenerImpl> LibuvBackend::listen(const Endpoint& at, const ListenOptions& options,
                                                   AcceptCallback cb, std::error_code& ec) {
  return LibuvListener::open(*this, at, options, std::move(cb), ec);
}

std::shared_ptr<WatchImpl> LibuvBackend::watch(SocketHandle fd, unsigned interest,
                                               WatchCallback cb) {
  return LibuvWatch::open(*this, fd, interest, std::move(cb));
}

std::string libuv_version() {
  return uv_version_string();
}

std::unique_ptr<Backend> make_libuv_backend(Loop& loop) {
  return std::make_unique<LibuvBackend>(loop);
}

}  // namespace lb
