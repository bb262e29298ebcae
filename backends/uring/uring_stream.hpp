#pragma once
// A TCP stream on io_uring: one multishot RECV (provided buffers) while
// reading, at most one SENDMSG in flight (a stream's sends must not be
// reordered), CONNECT for outgoing streams.
#include <sys/socket.h>
#include <sys/uio.h>

#include "backends/common/address.hpp"
#include "backends/common/socket_stream.hpp"
#include "backends/uring/uring_backend.hpp"
#include "engine/handles.hpp"

namespace lb {

class UringStream final : public SocketStream,
                          public UringSource,
                          public std::enable_shared_from_this<UringStream> {
 public:
  UringStream(UringBackend& backend, UniqueFd fd);
  ~UringStream() override;
  static void connect(UringBackend& backend, const Endpoint& to, ConnectCallback cb);
  static Stream adopt_accepted(UringBackend& backend, UniqueFd fd);

  void read_start(ReadCallback cb) override;
  void read_stop() override;
  void write(BufferList bufs, WriteCallback cb) override;
  void shutdown(WriteCallback cb) override;
  void close() override;

  void on_completion(UringOp op, std::uint64_t user_data, int res, std::uint32_t flags) override;
  void on_quiescent() override;
  void release_callbacks() override;

 private:
  static constexpr std::size_t kMaxIov = 64;
  void on_connect(int res);
  void on_recv(int res, std::uint32_t flags);
  void on_send(int res);
  void arm_recv();
  void submit_send();
  void maybe_shutdown(std::vector<WriteCallback>& done, std::error_code& ec);
  bool stream_closed() const override { return closed_; }
  void deliver(std::error_code ec, std::span<std::byte> data);
  void deliver_stash();

  UringBackend& backend_;
  SocketAddress peer_;  // CONNECT reads it after submission
  bool connecting_ = false;
  bool reading_ = false;
  bool read_ended_ = false;    // EOF or error seen from the kernel
  std::uint64_t recv_op_ = 0;  // user_data of the armed RECV, 0 if none
  bool send_in_flight_ = false;
  bool shut_down_ = false;
  // Data (and the end) that arrived while reading was stopped: a multishot
  // RECV may complete after read_stop() asked for its cancellation.
  Bytes stash_;
  std::error_code stashed_end_;
  bool stash_delivery_scheduled_ = false;
  iovec iov_[kMaxIov]{};
  msghdr msg_{};
};

}  // namespace lb
