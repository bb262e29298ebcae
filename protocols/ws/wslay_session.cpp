#include "protocols/ws/wslay_session.hpp"

#include <openssl/rand.h>

#include <cstring>

#include "engine/error.hpp"

namespace lb::ws {
namespace {

// Framed output collected before one write; wslay waits (WOULDBLOCK) beyond.
constexpr std::size_t kOutputLimit = 1 << 20;

WslaySession& self_of(void* p) {
  return *static_cast<WslaySession*>(p);
}

}  // namespace

WslaySession::WslaySession(Loop& loop, Stream stream, Role role, SessionOptions options,
                           SessionHandlers handlers)
    : SessionBase(loop, std::move(stream), options, std::move(handlers)),
      ctx_(nullptr, &wslay_event_context_free) {
  const wslay_event_callbacks callbacks{
      &WslaySession::recv_cb,        &WslaySession::send_cb,        &WslaySession::genmask_cb,
      &WslaySession::frame_start_cb, &WslaySession::frame_chunk_cb, &WslaySession::frame_end_cb,
      &WslaySession::msg_cb};
  wslay_event_context_ptr ctx = nullptr;
  const int rc = role == Role::client ? wslay_event_context_client_init(&ctx, &callbacks, this)
                                      : wslay_event_context_server_init(&ctx, &callbacks, this);
  if (rc != 0) throw std::bad_alloc();
  ctx_.reset(ctx);
  wslay_event_config_set_no_buffering(ctx, 1);
  wslay_event_config_set_max_recv_msg_length(ctx, options_.max_message);
  faults_.hold_closes();
}

WslaySession::~WslaySession() = default;

bool WslaySession::take_held() {
  Bytes held = std::move(held_);
  held_.clear();
  on_read({}, held);
  return true;
}

// The peer's Close waits, unread, until what we queued before it is written.
void WslaySession::hold_close() {
  if (close_held_) return;
  close_held_ = true;
  held_timer_.cancel();
  stream_.read_stop();
}

void WslaySession::release_held_close() {
  if (!close_held_ || finished_ || !idle()) return;
  close_held_ = false;
  faults_.release_close();
  if (!paused_) start_reading();
}

bool WslaySession::send(std::span<const std::byte> message) {
  return queue(WSLAY_BINARY_FRAME, message);
}

bool WslaySession::send_text(std::string_view text) {
  return queue(WSLAY_TEXT_FRAME, as_bytes(text));
}

bool WslaySession::queue(std::uint8_t opcode, std::span<const std::byte> message) {
  if (finished_ || close_requested_ || !wslay_event_get_write_enabled(ctx_.get())) return false;
  if (queued_messages() >= options_.send_queue) {
    send_blocked_ = true;
    return false;
  }
  wslay_event_msg msg{opcode, reinterpret_cast<const uint8_t*>(message.data()), message.size()};
  if (wslay_event_queue_msg(ctx_.get(), &msg) != 0) return false;
  proceed();
  return true;
}

void WslaySession::close(std::uint16_t code, std::string_view reason) {
  if (finished_ || close_requested_) return;
  close_requested_ = true;
  our_close_code_ = code;
  our_close_reason_ = reason;
  close_if_drained();
}

void WslaySession::close_if_drained() {
  if (!close_requested_ || close_queued_ || finished_ || !idle()) return;
  close_queued_ = true;
  wslay_event_queue_close(ctx_.get(), our_close_code_,
                          reinterpret_cast<const uint8_t*>(our_close_reason_.data()),
                          our_close_reason_.size());
  proceed();
}

std::size_t WslaySession::queued_messages() const {
  return wslay_event_get_queued_msg_count(ctx_.get());
}

bool WslaySession::idle() const {
  return queued_messages() == 0 && output_.empty() && !write_in_flight_;
}

void WslaySession::on_read(std::error_code ec, std::span<std::byte> data) {
  if (finished_) return;
  if (ec) {
    // The transport ended. After a completed closing handshake that is the
    // normal end; otherwise the connection was dropped (1006).
    return finish(ec == errc::eof ? std::error_code{} : ec);
  }
  input_ = data;
  proceed();
  // Paused inside this read: keep what wslay did not take for the resume.
  if (reading_paused()) held_.insert(held_.end(), input_.begin(), input_.end());
  input_ = {};
}

ssize_t WslaySession::recv_cb(wslay_event_context_ptr ctx, uint8_t* buf, size_t len, int, void* p) {
  auto& self = self_of(p);
  if (self.input_.empty() || self.reading_paused()) {
    wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }
  const auto offered = self.input_.first(std::min(len, self.input_.size()));
  std::size_t n = self.faults_.clear_prefix(offered);
  if (n == 0 && self.faults_.close_ahead()) {
    if (!self.idle()) {
      self.hold_close();
      wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
      return -1;
    }
    self.faults_.release_close();
    n = self.faults_.clear_prefix(offered);
  }
  self.input_ = self.input_.subspan(n);
  if (n == 0) {
    // Every frame before the faulty header has been read; wslay never sees
    // that header whole, and we refuse it with a Close.
    self.refuse(WSLAY_CODE_PROTOCOL_ERROR);
    self.input_ = {};
    wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }
  std::memcpy(buf, offered.data(), n);
  return static_cast<ssize_t>(n);
}

ssize_t WslaySession::send_cb(wslay_event_context_ptr ctx, const uint8_t* data, size_t len, int,
                              void* p) {
  auto& self = self_of(p);
  if (self.output_.size() >= kOutputLimit) {
    wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  self.output_.insert(self.output_.end(), bytes, bytes + len);
  return static_cast<ssize_t>(len);
}

int WslaySession::genmask_cb(wslay_event_context_ptr, uint8_t* buf, size_t len, void*) {
  return RAND_bytes(buf, static_cast<int>(len)) == 1 ? 0 : -1;
}

void WslaySession::frame_start_cb(wslay_event_context_ptr,
                                  const wslay_event_on_frame_recv_start_arg* arg, void* p) {
  auto& self = self_of(p);
  self.fin_ = arg->fin;
  if (arg->opcode & 0x8) {  // control frames go to msg_cb whole
    self.opcode_ = arg->opcode;
    self.utf8_close_.reset();
    // A close body is empty or a 2-byte code plus reason; wslay 1.1.1 takes
    // a 1-byte body as "no code".
    if (arg->opcode == WSLAY_CONNECTION_CLOSE && arg->payload_length == 1)
      self.refuse(WSLAY_CODE_PROTOCOL_ERROR);
    self.control_offset_ = 0;
    return;
  }
  if (arg->opcode != WSLAY_CONTINUATION_FRAME) {
    self.text_ = arg->opcode == WSLAY_TEXT_FRAME;
    self.message_bytes_ = 0;
    self.utf8_.reset();
    self.text_message_.clear();
  }
  self.opcode_ = arg->opcode;
  self.message_bytes_ += arg->payload_length;
  if (self.message_bytes_ > self.options_.max_message) self.refuse(WSLAY_CODE_MESSAGE_TOO_BIG);
}

void WslaySession::frame_chunk_cb(wslay_event_context_ptr,
                                  const wslay_event_on_frame_recv_chunk_arg* arg, void* p) {
  auto& self = self_of(p);
  const std::span<const std::byte> piece(reinterpret_cast<const std::byte*>(arg->data),
                                         arg->data_length);
  if (self.refusing_) return;
  if (self.opcode_ == WSLAY_CONNECTION_CLOSE) {
    // The reason must be UTF-8 (RFC 6455 §5.5.1); wslay 1.1.1 does not check.
    const std::size_t skip =
        std::min<std::size_t>(piece.size(), 2 - std::min<std::size_t>(2, self.control_offset_));
    self.control_offset_ += piece.size();
    if (!self.utf8_close_.feed(piece.subspan(skip)))
      self.refuse(WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA);
    return;
  }
  if (self.opcode_ & 0x8) return;
  if (self.text_ && !self.utf8_.feed(piece))
    return self.refuse(WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA);
  if (self.text_ && self.handlers_.on_text)
    self.text_message_.append(reinterpret_cast<const char*>(piece.data()), piece.size());
  else if (self.handlers_.on_data)
    self.handlers_.on_data(piece, false);
}

void WslaySession::frame_end_cb(wslay_event_context_ptr, void* p) {
  auto& self = self_of(p);
  if (self.refusing_ || (self.opcode_ & 0x8) || !self.fin_) return;
  if (self.text_ && !self.utf8_.complete())
    return self.refuse(WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA);
  ++self.messages_received_;
  if (self.text_ && self.handlers_.on_text)
    self.handlers_.on_text(self.text_message_);
  else if (self.handlers_.on_data)
    self.handlers_.on_data({}, true);
}

void WslaySession::msg_cb(wslay_event_context_ptr, const wslay_event_on_msg_recv_arg* arg,
                          void* p) {
  auto& self = self_of(p);
  if (arg->opcode == WSLAY_CONNECTION_CLOSE && !self.refusing_)  // our refusal's code stands
    self.close_code_ = arg->status_code ? arg->status_code : 1005;
}

// Refuses the peer's data with `code`: nothing more is read (the peer may
// still be sending the rest of the offending message), and our close goes
// out behind the messages already queued, which answer the valid input
// before the fault (wslay would send a close it queues ahead of them).
void WslaySession::refuse(std::uint16_t code) {
  if (refusing_) return;
  refusing_ = true;
  wslay_event_shutdown_read(ctx_.get());
  if (close_code_ == 1006) close_code_ = code;
  if (close_queued_) return;  // our own close is already on its way
  close_requested_ = true;
  our_close_code_ = code;
  our_close_reason_.clear();
  close_if_drained();
}

void WslaySession::proceed() {
  if (finished_ || in_proceed_) return;
  in_proceed_ = true;
  wslay_event_context_ptr ctx = ctx_.get();
  if (wslay_event_want_read(ctx) && !input_.empty() && wslay_event_recv(ctx) != 0) {
    in_proceed_ = false;
    return finish(std::make_error_code(std::errc::protocol_error));
  }
  // wslay returns once it needs bytes it was not given: every frame before
  // a faulty header has been read, so the refusal goes out now.
  if (faults_.found()) refuse(WSLAY_CODE_PROTOCOL_ERROR);
  if (!reading_paused()) input_ = {};  // what wslay did not take (after a close) is dropped
  if (wslay_event_want_write(ctx) && wslay_event_send(ctx) != 0) {
    in_proceed_ = false;
    return finish(std::make_error_code(std::errc::protocol_error));
  }
  in_proceed_ = false;
  if (!output_.empty() && !write_in_flight_) {
    write_in_flight_ = true;
    // Two buffers take turns: the one being written and the one wslay fills.
    // Reusing them avoids a fresh 1 MiB allocation per write, which glibc
    // serves with mmap and the kernel zero-fills page by page.
    auto bytes = std::make_shared<Bytes>(std::move(output_));
    output_ = std::move(spare_);
    output_.clear();
    stream_.write({slice_of(bytes)}, [this, bytes](std::error_code ec) {
      write_in_flight_ = false;
      // The backend is done with these bytes (the write completed), so the
      // storage can be taken back even if its slice is not yet released.
      spare_ = std::move(*bytes);
      if (ec) return finish(ec);
      proceed();
      close_if_drained();
      release_held_close();
      if (finished_) return;
      writable_if_room();
    });
    return;
  }
  if (!write_in_flight_ && output_.empty() && !wslay_event_want_read(ctx) &&
      !wslay_event_want_write(ctx) && (close_queued_ || !close_requested_)) {
    // Closing handshake done, or reading refused and our close sent.
    finish({});
  }
}

void WslaySession::finish(std::error_code ec) {
  if (finished_) return;
  finished_ = true;
  // wslay refused a protocol error itself (its Close went out, we asked for
  // none, none came back): report its code, as for our own refusals.
  if (close_code_ == 1006 && !close_queued_ && wslay_event_get_close_sent(ctx_.get()))
    close_code_ = wslay_event_get_status_code_sent(ctx_.get());
  stream_.close();
  auto on_closed = std::move(handlers_.on_closed);
  handlers_ = {};
  if (on_closed) on_closed(close_code_, ec);
}

}  // namespace lb::ws
