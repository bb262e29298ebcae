#pragma once
// One `bench tcp` transfer from the client side (tcp_protocol.hpp): connect,
// send the header and the upload, count the download, check the trailer.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/loop.hpp"

namespace lb {

struct TcpTransferSpec {
  Endpoint server;
  std::uint32_t chunk = 64 * 1024;
  std::uint64_t download = 0;
  std::uint64_t upload = 0;
  // Above zero: each direction asked (download, upload not 0) moves data
  // for this long instead of its size (protocol.hpp's timed transfer).
  std::chrono::nanoseconds duration{0};
  // Fail when no byte moves for this long.
  std::chrono::milliseconds idle_timeout{10'000};
};

struct TcpTransferResult {
  std::string error;           // empty on success
  std::uint64_t received = 0;  // download payload bytes
  std::uint64_t sent = 0;      // upload payload bytes
  double duration_s = 0;       // connected -> trailer and EOF received
};

class TcpTransfer {
 public:
  using Spec = TcpTransferSpec;
  using Result = TcpTransferResult;
  using DoneCallback = std::function<void(const TcpTransferResult&)>;
  TcpTransfer(Loop& loop, TcpTransferSpec spec, DoneCallback done);
  void start();
  // Payload bytes moved so far in both directions (for progress lines).
  std::uint64_t bytes_so_far() const { return result_.received + result_.sent; }

 private:
  void on_connected(std::error_code ec, Stream stream);
  void on_read(std::error_code ec, std::span<const std::byte> data);
  void pump_upload();
  bool timed() const { return spec_.duration > spec_.duration.zero(); }
  void on_timed_eof();
  void check_idle();
  void finish(std::string error);

  Loop& loop_;
  TcpTransferSpec spec_;
  DoneCallback done_;
  Stream stream_;
  SharedBytes chunk_;
  TcpTransferResult result_;
  std::uint64_t payload_seen_ = 0;  // download payload and trailer bytes seen
  Bytes trailer_;                   // a timed download: the stream's last 16 bytes so far
  int in_flight_ = 0;
  bool finished_ = false;
  bool shut_ = false;             // our FIN is sent
  bool deadline_passed_ = false;  // a timed transfer's time is up
  Timer deadline_;
  Clock::time_point started_{};
  std::uint64_t progress_at_last_check_ = 0;
  Timer watchdog_;
};

}  // namespace lb
