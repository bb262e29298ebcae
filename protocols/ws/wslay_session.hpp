#pragma once
// The wslay codec (session.hpp): RFC 6455 framing on wslay's event API, as
// h2o does it: wslay's recv callback reads the bytes of the current read
// callback and says WOULDBLOCK when they are used up; its send callback
// appends frames to one output buffer; proceed() runs wslay until it makes
// no progress, issues one write, and ends the connection when wslay wants
// neither to read nor to write. wslay never sees an fd.
//
// wslay 1.1.1 copies every message into its queue and masks and unmasks one
// byte at a time; its no_buffering mode hands payload to on_data in pieces.
// It reads at most 4 KiB per recv callback, so a pause may leave that much
// parsed.
#include <wslay/wslay.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "engine/handles.hpp"
#include "engine/loop.hpp"
#include "protocols/ws/header_faults.hpp"
#include "protocols/ws/session.hpp"
#include "protocols/ws/session_base.hpp"
#include "protocols/ws/utf8.hpp"

namespace lb::ws {

class WslaySession final : public SessionBase {
 public:
  WslaySession(Loop& loop, Stream stream, Role role, SessionOptions options,
               SessionHandlers handlers);
  ~WslaySession() override;
  WslaySession(const WslaySession&) = delete;
  WslaySession& operator=(const WslaySession&) = delete;

  bool send(std::span<const std::byte> message) override;
  bool send(Slice message) override { return send(message.span()); }  // wslay copies anyway
  bool send_text(std::string_view text) override;
  // wslay alone would send the close frame ahead of queued data; this waits.
  void close(std::uint16_t code, std::string_view reason = {}) override;
  std::size_t queued_messages() const override;
  bool idle() const override;

 private:
  static ssize_t recv_cb(wslay_event_context_ptr, uint8_t* buf, size_t len, int, void* self);
  static ssize_t send_cb(wslay_event_context_ptr, const uint8_t* data, size_t len, int, void* self);
  static int genmask_cb(wslay_event_context_ptr, uint8_t* buf, size_t len, void* self);
  static void frame_start_cb(wslay_event_context_ptr,
                             const wslay_event_on_frame_recv_start_arg* arg, void* self);
  static void frame_chunk_cb(wslay_event_context_ptr,
                             const wslay_event_on_frame_recv_chunk_arg* arg, void* self);
  static void frame_end_cb(wslay_event_context_ptr, void* self);
  static void msg_cb(wslay_event_context_ptr, const wslay_event_on_msg_recv_arg* arg, void* self);

  bool queue(std::uint8_t opcode, std::span<const std::byte> message);
  void on_read(std::error_code ec, std::span<std::byte> data) override;
  bool take_held() override;
  bool reading_held() const override { return close_held_; }
  void proceed();
  void refuse(std::uint16_t code);
  void close_if_drained();
  void hold_close();
  void release_held_close();
  void finish(std::error_code ec);

  std::unique_ptr<wslay_event_context, void (*)(wslay_event_context_ptr)> ctx_;
  std::span<const std::byte> input_;  // unread part of the current read
  HeaderFaults faults_;               // what wslay would drop without a Close
  bool close_held_ = false;           // the peer's Close waits for our queued messages
  Bytes output_;                      // framed bytes not yet written
  Bytes spare_;                       // the previous output buffer, for reuse
  bool write_in_flight_ = false;
  bool in_proceed_ = false;
  // The data message being received.
  std::uint8_t opcode_ = 0;
  bool fin_ = false;
  bool text_ = false;
  bool refusing_ = false;
  std::uint64_t message_bytes_ = 0;
  std::string text_message_;  // collected for on_text
  Utf8Validator utf8_;
  Utf8Validator utf8_close_;        // the reason of a close frame
  std::size_t control_offset_ = 0;  // bytes of the control frame seen
  std::uint16_t close_code_ = 1006;
  // Our close, waiting for the queued messages ahead of it.
  bool close_requested_ = false;
  bool close_queued_ = false;
  std::uint16_t our_close_code_ = 0;
  std::string our_close_reason_;
};

}  // namespace lb::ws
