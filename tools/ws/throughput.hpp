#pragma once
// The `bench ws` test over WebSocket, both ends: the server route /ws
// (?test=download|upload|concurrent&total=BYTES&chunk=BYTES) and the client
// transfer. The server sends `total` bytes as `chunk`-sized binary messages
// (download), counts what it receives (upload), or both; once its part is
// done it closes with 1000, and the client stops the clock at that close:
// every figure is end to end, uploads included.
//
// For a time instead (until=stop, bench ws -d): the server sends until the
// client's text message "stop", which follows the client's own data; it
// then queues the text "sent N received M" (its byte counts) after its data
// and closes with 1000. The client checks both counts against its own, as
// bench tcp -d does with its trailer.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/loop.hpp"
#include "protocols/tls/openssl_handles.hpp"
#include "protocols/ws/session.hpp"
#include "tools/ws/connect.hpp"
#include "tools/ws/recv_queue.hpp"
#include "tools/ws/server.hpp"

namespace lb {

struct WsTestSpec {
  std::string direction = "download";
  std::uint64_t total = 0;
  std::uint32_t chunk = 64 * 1024;
  bool until_stop = false;  // until the client's "stop"; `total` is not used
};

// The server side of the test: a route for WsServer that serves /ws.
WsRoute ws_throughput_route();

struct WsClientSpec {
  Endpoint server;
  std::string host;  // Host header, SNI and certificate name
  std::string path = "/ws";
  SSL_CTX* tls = nullptr;  // client context for wss://
  WsTestSpec test;
  ws::SessionOptions options;
  std::size_t recv_queue = 512;  // messages received but not yet consumed
  std::chrono::milliseconds idle_timeout{10'000};
  // Above zero: send (upload) for this long after the upgrade, then "stop";
  // test.until_stop is then set.
  std::chrono::nanoseconds duration{0};
};

struct WsClientResult {
  std::string error;
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
  std::uint64_t messages = 0;  // both directions
  std::size_t recv_queue_peak = 0;
  double duration_s = 0;
};

class WsClientTransfer {
 public:
  using Spec = WsClientSpec;
  using Result = WsClientResult;
  using Done = std::function<void(const WsClientResult&)>;
  WsClientTransfer(Loop& loop, WsClientSpec spec, Done done);
  ~WsClientTransfer();
  void start();
  std::uint64_t bytes_so_far() const { return result_.received + result_.sent; }

 private:
  void on_upgraded(Stream stream, const std::string& leftover);
  void consume(std::span<const std::byte> message);
  void on_report(std::string_view text);
  void on_closed(std::uint16_t code, std::error_code ec);
  std::string timed_outcome() const;
  bool timed() const { return spec_.duration > spec_.duration.zero(); }
  void pump();
  void send_stop();
  void check_idle();
  void finish(std::string error);

  Loop& loop_;
  WsClientSpec spec_;
  Done done_;
  std::unique_ptr<WsConnector> connector_;
  std::unique_ptr<ws::Session> session_;
  std::shared_ptr<RecvQueue> received_;
  SharedBytes chunk_;
  TurnShare share_;
  WsClientResult result_;
  Clock::time_point started_{};
  std::uint64_t progress_at_check_ = 0;
  Timer watchdog_;
  bool finished_ = false;
  // A timed transfer: the deadline, our "stop", and the server's counts.
  Timer deadline_;
  bool deadline_passed_ = false;
  bool stop_sent_ = false;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> server_counts_;  // sent, received
};

// Query string helpers for /ws?test=...&total=...&chunk=...
std::string ws_test_target(const std::string& path, const WsTestSpec& spec);
// Empty on success, else what is wrong.
std::string parse_ws_test_target(const std::string& target, WsTestSpec& out);

}  // namespace lb
