#pragma once
// A TCP stream on a uv_tcp_t. libuv keeps the write queue; each write() is
// one uv_write_t that owns its BufferList until libuv's callback.
#include "backends/libuv/libuv_backend.hpp"
#include "engine/handles.hpp"

namespace lb {

class LibuvStream final : public StreamImpl,
                          public LibuvSource,
                          public std::enable_shared_from_this<LibuvStream> {
 public:
  explicit LibuvStream(LibuvBackend& backend);
  ~LibuvStream() override { backend_.handle_released(); }
  static void connect(LibuvBackend& backend, const Endpoint& to, ConnectCallback cb);
  // A stream whose uv_tcp_t is initialised, for the listener to accept into.
  static std::shared_ptr<LibuvStream> create(LibuvBackend& backend);
  uv_stream_t* uv_stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  void read_start(ReadCallback cb) override;
  void read_stop() override;
  void write(BufferList bufs, WriteCallback cb) override;
  void shutdown(WriteCallback cb) override;
  std::size_t write_queue_bytes() const override { return tcp_.write_queue_size; }
  void set_drain_callback(DrainCallback cb) override { drain_cb_ = std::move(cb); }
  void close() override;
  std::uint16_t local_port() const override;
  void teardown() override;

 private:
  struct WriteRequest;
  struct ShutdownRequest;
  struct ConnectRequest;
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  void start_uv_reading();
  // libuv reads a readable socket up to 32 times per wake-up; past the
  // turn's budget we stop and pick up again on the next turn.
  void pause_for_turn();
  static void on_write(uv_write_t* req, int status);
  // A write libuv refused at once: its callback runs on a later turn.
  void report_write_error(WriteCallback cb, int rc);
  void release_callbacks();

  LibuvBackend& backend_;
  uv_tcp_t tcp_{};
  std::shared_ptr<LibuvStream> self_;  // set while the uv handle is open
  bool closed_ = false;
  bool reading_ = false;
  bool paused_for_turn_ = false;
  bool shut_down_ = false;
  std::size_t writes_pending_ = 0;
  ReadCallback read_cb_;
  DrainCallback drain_cb_;
};

}  // namespace lb
