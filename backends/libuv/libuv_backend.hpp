#pragma once
// The libuv backend: streams are uv_tcp_t with uv_read_start/uv_write,
// watches are uv_poll_t (one per fd), waiting is one uv_timer plus
// UV_RUN_ONCE. libuv's own timers are not used for engine timers, so timer
// behaviour is the engine's on every backend.
#include <uv.h>

#include <memory>
#include <vector>

#include "backends/libuv/libuv_poll_pool.hpp"
#include "engine/backend.hpp"

namespace lb {

// State behind a uv handle; handle->data points at it. It keeps itself alive
// (self_) from uv_close() until libuv's close callback.
class LibuvSource {
 public:
  virtual ~LibuvSource() = default;
  // Drops callbacks and closes the handle: used when the loop goes away.
  virtual void teardown() = 0;
};

class LibuvBackend final : public Backend {
 public:
  explicit LibuvBackend(Loop& loop);  // throws std::system_error
  ~LibuvBackend() override;

  std::string_view name() const override { return "libuv"; }
  void run_once(std::optional<std::chrono::nanoseconds> timeout) override;
  void wake() override;
  void connect(const Endpoint& to, ConnectCallback cb) override;
  std::shared_ptr<ListenerImpl> listen(const Endpoint& at, const ListenOptions& options,
                                       AcceptCallback cb, std::error_code& ec) override;
  std::shared_ptr<WatchImpl> watch(SocketHandle fd, unsigned interest, WatchCallback cb) override;
  std::size_t live_handles() const override { return live_handles_; }

  Loop& loop() { return loop_; }
  uv_loop_t* uv() { return &uv_loop_; }
  // One scratch buffer for reads: libuv calls alloc then read for one stream
  // at a time, and read data is only valid during the callback.
  uv_buf_t read_buffer();
  LibuvPollPool& poll_pool() { return poll_pool_; }
  void handle_opened() { ++live_handles_; }
  void handle_released() { --live_handles_; }

 private:
  Loop& loop_;
  uv_loop_t uv_loop_{};
  uv_async_t wake_{};
  uv_timer_t wait_timer_{};
  LibuvPollPool poll_pool_{&uv_loop_};
  std::vector<char> read_buffer_;
  std::size_t live_handles_ = 0;
};

// libuv's negative error numbers -> std::error_code (errno values on Unix).
std::error_code uv_error_code(int status);

}  // namespace lb
