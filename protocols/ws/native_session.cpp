#include "protocols/ws/native_session.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "engine/error.hpp"

namespace lb::ws {
namespace {

// A batch goes out at the end of the loop turn, or at once when it is this
// big: large enough for one write to carry many messages, small enough that
// the kernel always has the next write queued behind the current one.
constexpr std::size_t kBatchBytes = 1 << 20;
// Server payloads this small are copied into the batch: a separate iovec
// costs more than copying them.
constexpr std::size_t kCopyBelow = 2048;
constexpr std::size_t kFirstCapacity = 64 * 1024;

constexpr auto kCloseWait = std::chrono::milliseconds(2000);    // for the peer's FIN
constexpr auto kLinger = std::chrono::milliseconds(1000);       // after refusing
constexpr auto kCloseAnswer = std::chrono::milliseconds(5000);  // for the peer's Close

bool known_opcode(std::uint8_t op) {
  return op == kContinuation || op == kText || op == kBinary || op == kClose || op == kPing ||
         op == kPong;
}

}  // namespace

NativeSession::NativeSession(Loop& loop, Stream stream, Role role, SessionOptions options,
                             SessionHandlers handlers)
    : SessionBase(loop, std::move(stream), options, std::move(handlers)),
      role_(role),
      batch_capacity_(kFirstCapacity) {}

NativeSession::~NativeSession() = default;

// ------------------------------------------------------------------ reading

// Parsed in place: a pause inside only moves held_at_, so a reader that
// pauses after every message does not copy the rest again each time.
bool NativeSession::take_held() {
  held_at_ += consume(std::span(held_).subspan(held_at_), /*held=*/true);
  if (finished_ || paused_ || held_at_ < held_.size()) return false;
  held_.clear();
  held_at_ = 0;
  return true;
}

void NativeSession::on_read(std::error_code ec, std::span<std::byte> data) {
  if (finished_) return;
  if (ec) {
    // The transport ended. After the closing handshake that is the normal
    // end; otherwise the connection was dropped (1006, unless we refused).
    return finish(ec == errc::eof ? std::error_code{} : ec);
  }
  consume(data, /*held=*/false);
}

// Parses frames out of `data`, unmasking payload in place, and returns how
// many bytes it took. Stops at a pause (fresh input's rest is copied to
// held_; `held` input is held_ itself, left where it is), and drops what
// comes after a violation or the peer's Close.
std::size_t NativeSession::consume(std::span<std::byte> data, bool held) {
  std::size_t at = 0;
  while (at < data.size()) {
    if (finished_ || refusing_ || close_received_) return data.size();
    if (paused_) {
      if (!held)
        held_.insert(held_.end(), data.begin() + static_cast<std::ptrdiff_t>(at), data.end());
      return held ? at : data.size();
    }
    if (!in_payload_) {
      at += header_reader_.feed(data.subspan(at));
      if (!header_reader_.done()) return data.size();
      frame_ = header_reader_.header();
      header_reader_.reset();
      if (!accept_header()) return data.size();
      remaining_ = frame_.length;
      rx_mask_ = MaskKey{frame_.mask, 0};
      in_payload_ = remaining_ > 0;
      if (!in_payload_) end_frame();
      continue;
    }
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size() - at));
    const auto piece = data.subspan(at, n);
    if (frame_.masked) unmask_in_place(piece, rx_mask_);
    at += n;
    remaining_ -= n;
    payload(piece);
    if (remaining_ == 0 && !refusing_) {
      in_payload_ = false;
      end_frame();
    }
  }
  return at;
}

// RFC 6455 §5.2-§5.5: what a frame header may say, no extensions agreed.
bool NativeSession::accept_header() {
  const FrameHeader& h = frame_;
  const bool masked_ok = role_ == Role::server ? h.masked : !h.masked;  // §5.1
  if (h.rsv != 0 || !known_opcode(h.opcode) || !masked_ok || (h.length >> 63) != 0) {
    refuse(1002);
    return false;
  }
  if (is_control(h.opcode)) {
    if (!h.fin || h.length > kMaxControlPayload) {
      refuse(1002);
      return false;
    }
    control_size_ = 0;
    return true;
  }
  if (h.opcode == kContinuation) {
    if (!in_message_) {
      refuse(1002);
      return false;
    }
  } else {
    if (in_message_) {  // a new message inside a fragmented one
      refuse(1002);
      return false;
    }
    in_message_ = true;
    text_ = h.opcode == kText;
    message_bytes_ = 0;
    utf8_.reset();
    text_message_.clear();
  }
  message_bytes_ += h.length;  // both below 2^63: no overflow
  if (message_bytes_ > options_.max_message) {
    refuse(1009);
    return false;
  }
  return true;
}

void NativeSession::payload(std::span<std::byte> piece) {
  if (is_control(frame_.opcode)) {
    if (!piece.empty()) std::memcpy(control_.data() + control_size_, piece.data(), piece.size());
    control_size_ += piece.size();
    return;
  }
  if (text_) {
    if (!utf8_.feed(piece)) return refuse(1007);
    if (handlers_.on_text) {
      text_message_.append(reinterpret_cast<const char*>(piece.data()), piece.size());
      return;
    }
  }
  if (handlers_.on_data && !piece.empty()) handlers_.on_data(piece, false);
}

void NativeSession::end_frame() {
  if (is_control(frame_.opcode)) return end_control_frame();
  if (!frame_.fin) return;
  if (text_ && !utf8_.complete()) return refuse(1007);
  in_message_ = false;
  ++messages_received_;
  if (text_ && handlers_.on_text)
    handlers_.on_text(text_message_);
  else if (handlers_.on_data)
    handlers_.on_data({}, true);
}

void NativeSession::end_control_frame() {
  const std::span<const std::byte> body(control_.data(), control_size_);
  if (frame_.opcode == kPing) {
    if (!close_sent_) append_frame(kPong, body, nullptr);
    schedule_flush();
    return;
  }
  if (frame_.opcode != kClose) return;  // a pong: nothing to do
  std::uint16_t code = 1005;            // no code
  if (body.size() == 1) return refuse(1002);
  if (body.size() >= 2) {
    code = static_cast<std::uint16_t>(std::to_integer<unsigned>(body[0]) << 8 |
                                      std::to_integer<unsigned>(body[1]));
    if (!valid_close_code(code)) return refuse(1002);
    Utf8Validator reason;
    if (!reason.feed(body.subspan(2)) || !reason.complete()) return refuse(1007);
  }
  close_received_ = true;
  close_code_ = code;
  stop_parsing(code == 1005 ? 0 : code);  // echo the code (§5.5.1)
}

// Ends the peer's input with `code`: our Close goes out behind what is
// already framed, and nothing more is parsed.
void NativeSession::refuse(std::uint16_t code) {
  if (refusing_ || finished_) return;
  refusing_ = true;
  if (close_code_ == 1006) close_code_ = code;
  stop_parsing(code);
}

// Nothing more will be parsed: read on (what arrives is dropped) until the
// FIN, and send our Close with `code` (0: without one) unless it is queued.
void NativeSession::stop_parsing(std::uint16_t code) {
  if (paused_) {
    paused_ = false;
    held_.clear();
    held_at_ = 0;
    held_timer_.cancel();
    start_reading();
  }
  if (!close_sent_)
    queue_close(code, {});
  else if (close_on_wire_)
    close_written();
}

// ------------------------------------------------------------------ sending

bool NativeSession::send(std::span<const std::byte> message) {
  return queue_message(kBinary, message, nullptr);
}

bool NativeSession::send(Slice message) {
  return queue_message(kBinary, message.span(), &message);
}

bool NativeSession::send_text(std::string_view text) {
  return queue_message(kText, as_bytes(text), nullptr);
}

bool NativeSession::queue_message(std::uint8_t opcode, std::span<const std::byte> payload,
                                  const Slice* shared) {
  if (finished_ || close_sent_ || refusing_) return false;
  if (queued_messages() >= options_.send_queue) {
    send_blocked_ = true;
    return false;
  }
  append_frame(opcode, payload, shared);
  ++batch_messages_;
  schedule_flush();
  return true;
}

// Frames one whole message (fin set) into the batch.
void NativeSession::append_frame(std::uint8_t opcode, std::span<const std::byte> payload,
                                 const Slice* shared) {
  const bool client = role_ == Role::client;
  const bool zero_copy = !client && shared && payload.size() >= kCopyBelow;
  const std::size_t copied = zero_copy ? 0 : payload.size();
  const std::size_t frame = kMaxFrameHeader + copied;
  if (own_used_ + frame > own_.capacity()) make_room(frame);
  // The size follows the frames, so only a buffer's first use zero-fills.
  if (own_used_ + frame > own_.size()) own_.resize(own_used_ + frame);
  std::array<std::uint8_t, 4> mask{};
  if (client) mask = next_mask();
  own_used_ += write_frame_header(own_.data() + own_used_, opcode, true, payload.size(),
                                  client ? mask.data() : nullptr);
  if (zero_copy) {
    shared_.emplace_back(own_used_, *shared);
  } else if (client) {
    MaskKey key{mask, 0};
    mask_copy(own_.data() + own_used_, payload.data(), payload.size(), key);
    own_used_ += payload.size();
  } else {
    if (!payload.empty()) std::memcpy(own_.data() + own_used_, payload.data(), payload.size());
    own_used_ += payload.size();
  }
  batch_bytes_ += kMaxFrameHeader + payload.size();
}

// A buffer never grows in place: that would copy what it holds into fresh
// memory, whose page faults fall inside one send() (docs/notes/memory.md).
// A batch that outgrows its buffer goes out as it is, and later buffers are
// made bigger, up to a full batch plus the frame that crosses it; a spare
// smaller than that is dropped when it overflows. Buffers start at 64 KiB,
// so a session of small messages never maps a full batch.
void NativeSession::make_room(std::size_t frame) {
  if (own_used_ > 0) {
    batch_capacity_ = std::max(batch_capacity_, std::min(2 * own_.capacity(), kBatchBytes + frame));
    flush();  // own_ is now a spare buffer, or a new empty one
  }
  if (frame <= own_.capacity() && own_.capacity() >= batch_capacity_) return;
  Bytes fresh;  // not reserve() on own_: that would copy its stale bytes
  fresh.reserve(std::max(frame, batch_capacity_));
  own_.swap(fresh);
}

void NativeSession::queue_close(std::uint16_t code, std::string_view reason) {
  close_sent_ = true;
  std::array<std::byte, kMaxControlPayload> body{};
  std::size_t n = 0;
  if (code != 0) {
    body[0] = std::byte(code >> 8);
    body[1] = std::byte(code & 0xFF);
    n = 2 + std::min(reason.size(), body.size() - 2);
    if (n > 2) std::memcpy(body.data() + 2, reason.data(), n - 2);
  }
  append_frame(kClose, {body.data(), n}, nullptr);
  batch_has_close_ = true;
  schedule_flush();
}

std::array<std::uint8_t, 4> NativeSession::next_mask() {
  if (mask_at_ + 4 > masks_.size()) {
    if (RAND_bytes(masks_.data(), static_cast<int>(masks_.size())) != 1) {
      std::random_device rd;  // OpenSSL's generator failed: still unpredictable enough
      for (auto& b : masks_)
        b = static_cast<std::uint8_t>(rd());
    }
    mask_at_ = 0;
  }
  std::array<std::uint8_t, 4> mask;
  std::memcpy(mask.data(), masks_.data() + mask_at_, 4);
  mask_at_ += 4;
  return mask;
}

void NativeSession::close(std::uint16_t code, std::string_view reason) {
  if (finished_ || close_sent_ || refusing_) return;
  queue_close(code, reason);
}

void NativeSession::schedule_flush() {
  if (batch_bytes_ >= kBatchBytes) return flush();
  if (!flush_timer_.pending())
    flush_timer_ = loop_.start_timer(std::chrono::nanoseconds(0), [this] { flush(); });
}

// The batch as one gather write: runs of own_ between the shared slices.
void NativeSession::flush() {
  flush_timer_.cancel();
  if (finished_ || batch_empty()) return;
  std::shared_ptr<Bytes> own;
  if (!spare_.empty()) {
    own = std::move(spare_.back());
    spare_.pop_back();
  } else {
    own = std::make_shared<Bytes>();
  }
  own->swap(own_);  // own_ becomes the spare buffer (or empty)
  const SharedBytes bytes = own;
  BufferList list;
  list.reserve(shared_.size() * 2 + 1);
  std::size_t from = 0;
  for (auto& [at, slice] : shared_) {
    if (at > from) list.push_back(slice_of(bytes, from, at - from));
    list.push_back(std::move(slice));
    from = at;
  }
  if (own_used_ > from) list.push_back(slice_of(bytes, from, own_used_ - from));
  const std::size_t messages = batch_messages_;
  const bool carries_close = batch_has_close_;
  own_used_ = 0;
  shared_.clear();
  batch_bytes_ = 0;
  batch_messages_ = 0;
  batch_has_close_ = false;
  ++writes_in_flight_;
  in_flight_messages_ += messages;
  stream_.write(std::move(list), [this, own, messages, carries_close](std::error_code ec) {
    // The kernel is done with these bytes, so the buffer can be framed
    // into again even while the backend still holds its slice.
    spare_.push_back(own);
    on_written(ec, messages, carries_close);
  });
}

void NativeSession::on_written(std::error_code ec, std::size_t messages, bool carried_close) {
  --writes_in_flight_;
  in_flight_messages_ -= messages;
  if (finished_) return;
  if (ec) return finish(ec);
  if (carried_close) {
    close_on_wire_ = true;
    close_written();
    if (finished_) return;
  }
  writable_if_room();
}

// ------------------------------------------------------------------ closing

// Our Close frame is written: what follows depends on what came back.
void NativeSession::close_written() {
  if (refusing_) {
    // Half-close and drain, so the peer reads our Close rather than a
    // reset for the bytes it still has in flight.
    stream_.shutdown([](std::error_code) {});
    return wait_then_finish(kLinger);
  }
  if (!close_received_) return wait_then_finish(kCloseAnswer);
  if (role_ == Role::server) return finish({});  // the server closes TCP first
  wait_then_finish(kCloseWait);                  // the client waits for it
}

void NativeSession::wait_then_finish(std::chrono::milliseconds limit) {
  close_timer_ = loop_.start_timer(limit, [this] { finish({}); });
}

void NativeSession::finish(std::error_code ec) {
  if (finished_) return;
  finished_ = true;
  held_timer_.cancel();
  flush_timer_.cancel();
  close_timer_.cancel();
  stream_.close();
  auto on_closed = std::move(handlers_.on_closed);
  handlers_ = {};
  if (on_closed) on_closed(close_code_, ec);
}

}  // namespace lb::ws
