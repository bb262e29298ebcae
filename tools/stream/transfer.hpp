#pragma once
// Verified streaming over WebSocket: the /stream route of the server and
// the client transfer. The sender reads the data file in 256 KiB pieces and
// sends each as one binary message; the receiver hashes as bytes arrive and
// never holds more than the queues do.
//
//   /stream?test=download[&drop_cache=1]
//     server -> {"size":N,"sha256":HEX,"cached":F}     text, before the data
//     server -> N bytes in binary messages
//     server -> {"read_s":S,"peak_rss_kib":K}           text, after the data
//     server closes 1000; the client compares its hash with HEX.
//   /stream?test=upload
//     client -> {"size":N,"sha256":HEX}                 text, before the data
//     client -> N bytes in binary messages
//     server -> {"verified":B,"sha256":GOT,"expected":HEX,"bytes":N,
//                "hash_s":S,"peak_rss_kib":K}          text, the verdict
//     server closes 1000.
//   Either side that cannot go on sends {"error":TEXT} and closes 1011.
//
// The server verifies an upload against its own hash file, and against the
// hash the client declared; both must match.
//
// This workload rides on tools/ws: its server is a WsServer route and its
// client connects with WsConnector.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/loop.hpp"
#include "protocols/ws/session.hpp"
#include "tools/stream/data_file.hpp"
#include "tools/stream/sha256.hpp"
#include "tools/ws/connect.hpp"
#include "tools/ws/server.hpp"

namespace lb {

// One piece is one step of the sender (read, frame, write), so it bounds
// the loop turn around that step (docs/notes/memory.md).
constexpr std::size_t kStreamPiece = 256 << 10;
constexpr int kStreamSendQueue = 64;  // pieces: 16 MiB in flight

// Reads the data file piece by piece into pooled buffers and queues each
// piece as one binary message, a Slice: the native server sends it without
// a copy, the native client masks it into its frame buffer, wslay copies it.
// A buffer is read into again once no write holds it; a piece the full
// queue refused is kept for the next call.
class FileSender {
 public:
  FileSender(DataFileReader& reader, std::uint64_t limit);
  // Allocates and touches `pieces` buffers now, so the transfer does not
  // pay for fresh pages inside a loop turn (docs/notes/memory.md).
  void preallocate(std::size_t pieces);
  // True when everything is queued; `sent` counts queued bytes. Returns
  // false when the queue is full (on_writable follows) or after a turn's
  // share of reading and framing (it asks for on_writable on the next
  // turn). Throws DataFileError.
  bool pump(ws::Session& session, std::uint64_t& sent);

 private:
  std::shared_ptr<Bytes> free_piece();

  DataFileReader& reader_;
  std::uint64_t limit_;
  std::vector<std::shared_ptr<Bytes>> pieces_;
  std::shared_ptr<Bytes> piece_;  // read, not yet queued
  std::size_t pending_ = 0;
  TurnShare share_;
};

struct StreamServerConfig {
  std::string file = "testdata.bin";
  // Test aid: a download stops after this many bytes (and still closes
  // 1000), as a broken sender would.
  std::optional<std::uint64_t> truncate_at;
};

WsRoute stream_route(StreamServerConfig config);

struct StreamClientSpec {
  WsConnectSpec connect;  // target: the path ("/stream"); the query is added
  std::string direction = "download";
  std::string file = "testdata.bin";  // what an upload sends
  bool drop_cache = false;            // evict the sender's file first
  ws::SessionOptions options;
  std::chrono::milliseconds idle_timeout{10'000};
};

struct StreamClientResult {
  std::string error;  // empty only when the hash matched
  bool verified = false;
  std::uint64_t bytes = 0;
  std::uint64_t size = 0;  // what the sender announced
  std::uint64_t messages = 0;
  double duration_s = 0;
  double hash_s = 0;
  double read_s = 0;             // the sender's time in reads of the file
  double cached_fraction = -1;   // of the sender's file when it started
  std::string sha256, expected;  // what arrived, what should have
  std::uint64_t server_peak_rss_kib = 0;
};

class StreamClientTransfer {
 public:
  using Spec = StreamClientSpec;
  using Result = StreamClientResult;
  using Done = std::function<void(const StreamClientResult&)>;
  StreamClientTransfer(Loop& loop, StreamClientSpec spec, Done done);
  ~StreamClientTransfer();
  void start();
  std::uint64_t bytes_so_far() const { return result_.bytes; }

 private:
  void on_upgraded(Stream stream, const std::string& leftover);
  void on_data(std::span<const std::byte> piece, bool last);
  void on_text(std::string_view text);
  void on_closed(std::uint16_t code, std::error_code ec);
  void pump();
  void check_idle();
  void finish(std::string error);

  Loop& loop_;
  StreamClientSpec spec_;
  Done done_;
  std::unique_ptr<WsConnector> connector_;
  std::unique_ptr<ws::Session> session_;
  std::unique_ptr<DataFileReader> reader_;  // uploads
  std::optional<FileSender> sender_;
  Sha256 sha_;
  bool header_seen_ = false;
  bool verdict_seen_ = false;
  std::string peer_error_;
  StreamClientResult result_;
  Clock::time_point started_{};
  std::uint64_t progress_at_check_ = 0;
  Timer watchdog_;
  bool finished_ = false;
};

}  // namespace lb
