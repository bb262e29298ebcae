#pragma once
// The native codec (session.hpp): RFC 6455 framing of our own, built so
// that framing costs next to nothing beside the kernel's copy.
//
// Receiving: frames are parsed as bytes arrive, split anywhere (header bytes
// collected, payload never); a masked payload is unmasked in place in the
// read buffer (the Backend contract lets a read callback change its bytes)
// and handed to on_data as spans into it. Every violation is answered with
// a Close frame carrying its code (1002 protocol, 1007 bad UTF-8, 1009 too
// big); the session then half-closes, drains what the peer still sends for
// up to a second, and closes, so the peer reads the Close instead of a reset.
//
// Sending: messages are framed at once into the current batch, which goes
// out as one gather write per loop turn (or whenever it reaches 1 MiB; writes
// complete in order). A client masks while it copies the payload into the
// batch, the one copy it needs; a server puts the header in the batch and
// the caller's Slice beside it, so its payload is never copied. The batch
// buffers are recycled.
//
// Closing: close() queues the Close frame behind every message queued
// before it; a received Close is echoed with its code. The server closes
// TCP once both Close frames have crossed; the client waits for the
// server's FIN (at most 2 s) as RFC 6455 §7.1.1 asks.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "engine/buffer.hpp"
#include "engine/handles.hpp"
#include "engine/loop.hpp"
#include "protocols/ws/frame.hpp"
#include "protocols/ws/mask.hpp"
#include "protocols/ws/session.hpp"
#include "protocols/ws/session_base.hpp"
#include "protocols/ws/utf8.hpp"

namespace lb::ws {

class NativeSession final : public SessionBase {
 public:
  NativeSession(Loop& loop, Stream stream, Role role, SessionOptions options,
                SessionHandlers handlers);
  ~NativeSession() override;
  NativeSession(const NativeSession&) = delete;
  NativeSession& operator=(const NativeSession&) = delete;

  bool send(std::span<const std::byte> message) override;
  bool send(Slice message) override;
  bool send_text(std::string_view text) override;
  void close(std::uint16_t code, std::string_view reason = {}) override;
  std::size_t queued_messages() const override { return batch_messages_ + in_flight_messages_; }
  bool idle() const override { return batch_empty() && writes_in_flight_ == 0; }

 private:
  // Receiving.
  void on_read(std::error_code ec, std::span<std::byte> data) override;
  bool take_held() override;
  std::size_t consume(std::span<std::byte> data, bool held);
  bool accept_header();
  void payload(std::span<std::byte> piece);
  void end_frame();
  void end_control_frame();
  void refuse(std::uint16_t code);
  void stop_parsing(std::uint16_t code);

  // Sending.
  bool queue_message(std::uint8_t opcode, std::span<const std::byte> payload, const Slice* shared);
  void append_frame(std::uint8_t opcode, std::span<const std::byte> payload, const Slice* shared);
  void queue_close(std::uint16_t code, std::string_view reason);
  std::array<std::uint8_t, 4> next_mask();
  bool batch_empty() const { return own_used_ == 0 && shared_.empty(); }
  void make_room(std::size_t frame);
  void schedule_flush();
  void flush();
  void on_written(std::error_code ec, std::size_t messages, bool carried_close);

  // Closing.
  void close_written();
  void wait_then_finish(std::chrono::milliseconds limit);
  void finish(std::error_code ec);

  Role role_;

  // The frame being received.
  HeaderReader header_reader_;
  FrameHeader frame_;
  bool in_payload_ = false;
  std::uint64_t remaining_ = 0;  // payload bytes of the frame still to come
  MaskKey rx_mask_;
  std::array<std::byte, kMaxControlPayload> control_{};
  std::size_t control_size_ = 0;
  // The data message being received.
  bool in_message_ = false;
  bool text_ = false;
  std::uint64_t message_bytes_ = 0;
  Utf8Validator utf8_;
  std::string text_message_;  // collected for on_text

  // Reading.
  std::size_t held_at_ = 0;  // how much of held_ is parsed

  // The batch being framed: own_ holds headers and copied (client: masked)
  // payloads, own_used_ bytes of it; shared_ the payload slices that go out
  // as they are, each at its offset into own_.
  Bytes own_;
  std::size_t own_used_ = 0;
  std::size_t batch_capacity_;  // what a batch buffer is made with; grows
  std::vector<std::pair<std::size_t, Slice>> shared_;
  std::size_t batch_bytes_ = 0;
  std::size_t batch_messages_ = 0;
  bool batch_has_close_ = false;
  Timer flush_timer_;
  std::vector<std::shared_ptr<Bytes>> spare_;  // batch buffers back from the kernel
  int writes_in_flight_ = 0;
  std::size_t in_flight_messages_ = 0;
  std::array<std::uint8_t, 256> masks_{};  // client masking keys, from RAND_bytes
  std::size_t mask_at_ = masks_.size();

  // Closing.
  bool close_sent_ = false;      // our Close frame is queued (no more sends)
  bool close_on_wire_ = false;   // ... and written
  bool close_received_ = false;  // the peer's Close frame arrived
  bool refusing_ = false;        // we ended it for a violation; input is dropped
  std::uint16_t close_code_ = 1006;
  Timer close_timer_;
};

}  // namespace lb::ws
