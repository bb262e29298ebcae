#pragma once
// One HTTP/2 connection of the benchmark server: nghttp2's server session
// driven from memory over an engine stream (TCP after the h2c preface, or
// TLS after ALPN chose "h2"), answering from the same Routes as HTTP/1.1.
// Bodies leave without a copy: every DATA frame is its 9-byte header and a
// slice of the route's shared bytes, gathered into one write per flush.
#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "protocols/http/served_connection.hpp"

namespace lb::http {

// The 24 bytes every HTTP/2 client sends first (RFC 9113 §3.4).
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// An HTTP/1.1 request that asked to continue as HTTP/2 ("Upgrade: h2c",
// RFC 7540 §3.2): it becomes stream 1, answered over HTTP/2.
struct H2cUpgrade {
  std::string method, path;
  std::string settings;  // HTTP2-Settings, base64url as sent
};

// Whether `request` asks for the h2c upgrade this server accepts.
bool wants_h2c(std::string_view upgrade, std::string_view connection, bool has_settings);

class H2Connection : public ServedConnection {
 public:
  // `already_read`: bytes taken from the stream before it was known to
  // speak HTTP/2 (the preface, or part of it), fed to the session first.
  // `upgrade`: the HTTP/1.1 request that switched to HTTP/2 (after the 101
  // went out); false when the settings it carried do not decode.
  H2Connection(const ServingContext& context, Stream stream, CloseConnection close,
               std::span<const std::byte> already_read = {}, const H2cUpgrade* upgrade = nullptr);
  ~H2Connection() override;
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  Clock::time_point last_request() const override { return last_request_; }

 private:
  struct Request;
  struct SessionDeleter {
    void operator()(nghttp2_session* s) const { nghttp2_session_del(s); }
  };

  static const nghttp2_session_callbacks* callbacks();
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame*, void* self);
  static int on_header(nghttp2_session*, const nghttp2_frame*, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t flags, void* self);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame*, void* self);
  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                             void* self);
  static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf,
                           std::size_t length, std::uint32_t* data_flags,
                           nghttp2_data_source* source, void* self);
  static int send_body(nghttp2_session*, nghttp2_frame*, const std::uint8_t* framehd,
                       std::size_t length, nghttp2_data_source* source, void* self);

  void start_reading();
  bool take_upgrade(const H2cUpgrade& upgrade);
  void feed(std::span<const std::byte> data);
  void respond(std::int32_t stream_id, Request& request);
  // Serializes what the session has to send, up to the queue bound, as one
  // write; ends the connection once the session wants nothing more.
  void flush();
  void append(std::span<const std::byte> bytes);
  void append(Slice body);
  void finish();

  ServingContext context_;
  Stream stream_;
  CloseConnection close_;
  std::unique_ptr<nghttp2_session, SessionDeleter> session_;
  std::unordered_map<std::int32_t, std::unique_ptr<Request>> requests_;
  Clock::time_point last_request_;
  // The write being gathered by flush(): frame headers and other frames
  // copied into `chunk_`, bodies as slices between them.
  BufferList out_;
  std::shared_ptr<Bytes> chunk_;
  std::size_t chunk_mark_ = 0;
  std::size_t out_bytes_ = 0;
  bool paused_ = false;
  bool closing_ = false;    // FIN queued; reading only to see the client close
  bool peer_done_ = false;  // the client closed (or the stream failed)
  // The close-probability aid's graceful close: the notice and a PING sent,
  // then the final GOAWAY once the PING's ack came back.
  enum class GoingAway { no, notice_sent, final_sent };
  GoingAway going_away_ = GoingAway::no;
  bool upgrade_waiting_ = false;  // stream 1 of an h2c upgrade, answered after the preface
};

}  // namespace lb::http
