#pragma once
// What a stream over a socket of ours holds on every loop that drives the
// socket itself (epoll, io_uring): the fd, the write queue, the callbacks
// of the Backend contract, and the rule by which write callbacks run (in
// order, none after close(), the drain callback once the queue empties).
// libuv keeps these in its own uv_stream_t.
#include <cstdint>
#include <system_error>
#include <vector>

#include "engine/backend.hpp"
#include "engine/unique_fd.hpp"
#include "engine/write_queue.hpp"

namespace lb {

class SocketStream : public StreamImpl {
 public:
  std::size_t write_queue_bytes() const final { return queue_.bytes(); }
  void set_drain_callback(DrainCallback cb) final { drain_cb_ = std::move(cb); }
  std::uint16_t local_port() const final;

 protected:
  explicit SocketStream(UniqueFd fd) : fd_(std::move(fd)) {}

  // Whether close() has run: from then on no callback runs.
  virtual bool stream_closed() const = 0;
  // Runs `done` in order with `ec`, stopping if one of them closes the
  // stream; then the drain callback if `drained` and the queue is empty.
  void run_write_callbacks(std::vector<WriteCallback>& done, std::error_code ec, bool drained);
  // Drops every callback and queued write without running them (the
  // backend's release_callbacks, after close()).
  void drop_callbacks();

  UniqueFd fd_;
  WriteQueue queue_;
  ConnectCallback connect_cb_;
  ReadCallback read_cb_;
  DrainCallback drain_cb_;
  WriteCallback shutdown_cb_;
};

}  // namespace lb
