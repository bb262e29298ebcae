#pragma once
// A TCP stream on epoll: reads when readable, writev when the queue is not
// empty and the socket is writable. Level-triggered; interest follows state.
#include "backends/common/socket_stream.hpp"
#include "backends/epoll/epoll_backend.hpp"
#include "engine/handles.hpp"

namespace lb {

class EpollStream final : public SocketStream,
                          public EpollSource,
                          public std::enable_shared_from_this<EpollStream> {
 public:
  EpollStream(EpollBackend& backend, UniqueFd fd);
  // Starts a non-blocking connect; `cb` runs on a later turn.
  static void connect(EpollBackend& backend, const Endpoint& to, ConnectCallback cb);
  // Wraps an accepted socket.
  static Stream adopt_accepted(EpollBackend& backend, UniqueFd fd);

  void read_start(ReadCallback cb) override;
  void read_stop() override;
  void write(BufferList bufs, WriteCallback cb) override;
  void shutdown(WriteCallback cb) override;
  void close() override;

  void on_events(std::uint32_t events) override;
  void release_callbacks() override;

 private:
  enum class Flush { progress, blocked, failed };
  void on_connected();
  void on_readable();
  // Writes as much of the queue as the socket takes; completed callbacks go
  // to `done`. On failure the queue is emptied with the error into `done`.
  Flush flush(std::vector<WriteCallback>& done, std::error_code& ec);
  bool stream_closed() const override { return closed_; }
  void write_now_or_later();
  void update_interest();

  EpollBackend& backend_;
  std::uint32_t registered_ = 0;
  bool connecting_ = false;
  bool reading_ = false;
  bool shut_down_ = false;
};

}  // namespace lb
