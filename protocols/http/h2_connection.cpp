#include "protocols/http/h2_connection.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "protocols/http/http_server.hpp"
#include "protocols/http/request_rules.hpp"

namespace lb::http {
namespace {
// Stop serializing (and reading) while this much waits for the kernel.
constexpr std::size_t kMaxQueuedBytes = 4 << 20;
// Our receive windows: request bodies are discarded, so flow control need
// never hold a client back.
constexpr std::int32_t kStreamWindow = 16 << 20;
constexpr std::int32_t kConnectionWindow = 1 << 30;

std::span<const std::byte> bytes_of(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const std::byte*>(p), n};
}

nghttp2_nv header(std::string_view name, std::string_view value) {
  // nghttp2 copies names and values when the response is submitted.
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), NGHTTP2_NV_FLAG_NONE};
}

H2Connection& self_of(void* p) {
  return *static_cast<H2Connection*>(p);
}

// base64url without padding (HTTP2-Settings); nullopt on a bad character.
std::optional<std::string> decode_base64url(std::string_view text) {
  std::string out;
  std::uint32_t bits = 0;
  int held = 0;
  for (const char c : text) {
    int v = 0;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    held += 6;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<char>((bits >> held) & 0xff));
    }
  }
  return out;
}

}  // namespace

bool wants_h2c(std::string_view upgrade, std::string_view connection, bool has_settings) {
  return has_settings && list_has_token(upgrade, "h2c") &&
         list_has_token(connection, "http2-settings");
}

struct H2Connection::Request {
  std::string method, path;
  Slice body;               // the response body, sent as DATA frames
  std::size_t planned = 0;  // bytes of `body` that read_body() gave frames to
  std::size_t sent = 0;     // bytes of `body` that send_body() queued
};

const nghttp2_session_callbacks* H2Connection::callbacks() {
  struct Holder {
    nghttp2_session_callbacks* cbs = nullptr;
    Holder() {
      nghttp2_session_callbacks_new(&cbs);
      nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &on_begin_headers);
      nghttp2_session_callbacks_set_on_header_callback(cbs, &on_header);
      nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &on_frame_recv);
      nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &on_stream_close);
      nghttp2_session_callbacks_set_send_data_callback(cbs, &send_body);
    }
    ~Holder() { nghttp2_session_callbacks_del(cbs); }
  };
  static const Holder holder;
  return holder.cbs;
}

H2Connection::H2Connection(const ServingContext& context, Stream stream, CloseConnection close,
                           std::span<const std::byte> already_read, const H2cUpgrade* upgrade)
    : context_(context),
      stream_(std::move(stream)),
      close_(std::move(close)),
      last_request_(Clock::now()) {
  nghttp2_session* session = nullptr;
  if (nghttp2_session_server_new(&session, callbacks(), this) != 0) throw std::bad_alloc();
  session_.reset(session);
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, context_.options.max_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(kStreamWindow)}};
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  stream_.set_drain_callback([this] {
    if (closing_) return;
    flush();
    if (paused_ && !closing_ && stream_.write_queue_bytes() < kMaxQueuedBytes) {
      paused_ = false;
      start_reading();
    }
  });
  start_reading();
  if (upgrade && !take_upgrade(*upgrade)) {
    ++context_.stats.bad_requests;
    nghttp2_session_terminate_session(session, NGHTTP2_PROTOCOL_ERROR);
  }
  if (!already_read.empty())
    feed(already_read);
  else
    flush();
}

// The upgrading request is stream 1, half-closed by the client: answer it.
bool H2Connection::take_upgrade(const H2cUpgrade& upgrade) {
  const auto settings = decode_base64url(upgrade.settings);
  if (!settings) return false;
  auto request = std::make_unique<Request>();
  request->method = upgrade.method;
  request->path = upgrade.path;
  if (nghttp2_session_upgrade2(session_.get(),
                               reinterpret_cast<const std::uint8_t*>(settings->data()),
                               settings->size(), upgrade.method == "HEAD", request.get()) != 0)
    return false;
  requests_[1] = std::move(request);
  // Answered once the client's preface arrives: libcurl keeps at most 32 KiB
  // that come behind the 101 in its first read and fails the transfer
  // beyond that ("connection buffer size is too small"), and a whole first
  // window of DATA would follow the 101 at once.
  upgrade_waiting_ = true;
  return true;
}

H2Connection::~H2Connection() = default;

void H2Connection::start_reading() {
  stream_.read_start([this](std::error_code ec, std::span<std::byte> data) {
    if (ec) {  // EOF or error: nothing more to answer
      peer_done_ = true;
      return closing_ ? close_() : finish();
    }
    feed(data);
  });
}

void H2Connection::feed(std::span<const std::byte> data) {
  if (closing_) return;
  last_request_ = Clock::now();
  const auto n = nghttp2_session_mem_recv(
      session_.get(), reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  if (n < 0) {
    // Not HTTP/2 at all (a bad preface) or a fatal error: nghttp2 has
    // queued the GOAWAY that says so where it could.
    ++context_.stats.bad_requests;
    nghttp2_session_terminate_session(session_.get(), NGHTTP2_PROTOCOL_ERROR);
  }
  flush();
  if (!closing_ && !paused_ && stream_.write_queue_bytes() >= kMaxQueuedBytes) {
    paused_ = true;
    stream_.read_stop();
  }
}

int H2Connection::on_begin_headers(nghttp2_session* session, const nghttp2_frame* frame,
                                   void* self) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto& requests = self_of(self).requests_;
  auto& request = requests[frame->hd.stream_id];
  request = std::make_unique<Request>();
  nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, request.get());
  return 0;
}

int H2Connection::on_header(nghttp2_session* session, const nghttp2_frame* frame,
                            const std::uint8_t* name, std::size_t namelen,
                            const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void*) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto* request =
      static_cast<Request*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (!request) return 0;
  const std::string_view n(reinterpret_cast<const char*>(name), namelen);
  const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
  if (n == ":method")
    request->method = v;
  else if (n == ":path")
    request->path = v;
  return 0;
}

int H2Connection::on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* self) {
  H2Connection& c = self_of(self);
  if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) &&
      c.going_away_ == GoingAway::notice_sent) {
    c.going_away_ = GoingAway::final_sent;
    nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(session), NGHTTP2_NO_ERROR,
                          nullptr, 0);
  }
  if (c.upgrade_waiting_ && frame->hd.type == NGHTTP2_SETTINGS) {
    c.upgrade_waiting_ = false;
    if (auto it = c.requests_.find(1); it != c.requests_.end()) c.respond(1, *it->second);
  }
  // A request is complete when its stream ends: after its HEADERS, or after
  // the last DATA frame of a body (which nghttp2 already discarded).
  if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
      !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    return 0;
  auto* request =
      static_cast<Request*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (request) c.respond(frame->hd.stream_id, *request);
  return 0;
}

int H2Connection::on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t,
                                  void* self) {
  self_of(self).requests_.erase(stream_id);
  return 0;
}

void H2Connection::respond(std::int32_t stream_id, Request& request) {
  ++context_.stats.requests;
  last_request_ = Clock::now();
  Resource r = context_.routes.resource(request.method, request.path);
  const std::string status = std::to_string(r.status);
  const std::string length = std::to_string(r.length);
  const nghttp2_nv headers[] = {header(":status", status), header("server", "loopbench"),
                                header("content-type", r.content_type),
                                header("content-length", length)};
  request.body = std::move(r.body);
  nghttp2_data_provider body{};
  body.source.ptr = &request;
  body.read_callback = &read_body;
  nghttp2_submit_response(session_.get(), stream_id, headers, std::size(headers),
                          request.body.size ? &body : nullptr);
  // Testing aid: with this probability, close the connection gracefully
  // (RFC 9113 §6.8): a GOAWAY that announces the end without refusing
  // anything, and a PING; its ack shows the client has seen the notice, and
  // the final GOAWAY names the last stream we take. Streams the client
  // opened meanwhile are answered, so none is lost in flight.
  const double p = context_.options.close_probability;
  if (p > 0 && going_away_ == GoingAway::no &&
      std::uniform_real_distribution<double>(0, 1)(context_.rng) < p) {
    going_away_ = GoingAway::notice_sent;
    nghttp2_submit_shutdown_notice(session_.get());
    nghttp2_submit_ping(session_.get(), NGHTTP2_FLAG_NONE, nullptr);
  }
}

ssize_t H2Connection::read_body(nghttp2_session*, std::int32_t, std::uint8_t*, std::size_t length,
                                std::uint32_t* data_flags, nghttp2_data_source* source, void*) {
  // Only plans the frame: send_body() writes it without a copy.
  auto& request = *static_cast<Request*>(source->ptr);
  const std::size_t left = request.body.size - request.planned;
  const std::size_t n = std::min(length, left);
  request.planned += n;
  *data_flags |= NGHTTP2_DATA_FLAG_NO_COPY;
  if (n == left) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

int H2Connection::send_body(nghttp2_session*, nghttp2_frame* frame, const std::uint8_t* framehd,
                            std::size_t length, nghttp2_data_source* source, void* self) {
  auto& request = *static_cast<Request*>(source->ptr);
  auto& c = self_of(self);
  c.append(bytes_of(framehd, 9));
  if (frame->data.padlen > 0) {  // we never ask for padding; kept correct anyway
    const auto pad_length = static_cast<std::uint8_t>(frame->data.padlen - 1);
    c.append(bytes_of(&pad_length, 1));
  }
  const Slice& body = request.body;
  c.append(slice_of(body.bytes, body.offset + request.sent, length));
  request.sent += length;
  if (frame->data.padlen > 1) {
    const std::string zeros(frame->data.padlen - 1, '\0');
    c.append(as_bytes(zeros));
  }
  return 0;
}

void H2Connection::append(std::span<const std::byte> bytes) {
  if (!chunk_) {
    chunk_ = std::make_shared<Bytes>();
    chunk_->reserve(4096);
    chunk_mark_ = 0;
  }
  chunk_->insert(chunk_->end(), bytes.begin(), bytes.end());
  out_bytes_ += bytes.size();
}

void H2Connection::append(Slice body) {
  // Close the copied run so far, then the body slice after it.
  if (chunk_ && chunk_->size() > chunk_mark_) {
    out_.push_back(Slice{chunk_, chunk_mark_, chunk_->size() - chunk_mark_});
    chunk_mark_ = chunk_->size();
  }
  out_bytes_ += body.size;
  out_.push_back(std::move(body));
}

void H2Connection::flush() {
  if (closing_) return;
  const std::size_t queued = stream_.write_queue_bytes();
  while (queued + out_bytes_ < kMaxQueuedBytes) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(session_.get(), &data);
    if (n < 0) {
      out_.clear();
      chunk_.reset();
      out_bytes_ = 0;
      return finish();
    }
    if (n == 0) break;
    append(bytes_of(data, static_cast<std::size_t>(n)));
  }
  if (chunk_ && chunk_->size() > chunk_mark_)
    out_.push_back(Slice{chunk_, chunk_mark_, chunk_->size() - chunk_mark_});
  chunk_.reset();
  out_bytes_ = 0;
  if (!out_.empty()) stream_.write(std::exchange(out_, {}), [](std::error_code) {});
  const bool done =
      !nghttp2_session_want_read(session_.get()) && !nghttp2_session_want_write(session_.get());
  if (done || (going_away_ == GoingAway::final_sent && requests_.empty() &&
               !nghttp2_session_want_write(session_.get())))
    finish();
}

// Sends what is queued and half-closes; the server frees us once the client
// has closed too. Until then its bytes are read and dropped: a client still
// sending requests past our GOAWAY then reads our last frames and FIN, not
// a reset that would lose them.
void H2Connection::finish() {
  if (closing_) return;
  closing_ = true;
  stream_.shutdown([this](std::error_code ec) {
    if (ec || peer_done_) close_();
  });
  if (paused_) {
    paused_ = false;
    start_reading();
  }
}

}  // namespace lb::http
