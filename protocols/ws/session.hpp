#pragma once
// RFC 6455 framing on wslay's event API over any lb::Stream (TCP or TLS), as
// h2o does it: wslay's recv callback reads the bytes of the current read
// callback and says WOULDBLOCK when they are used up; its send callback
// appends frames to one output buffer; proceed() runs wslay until it makes
// no progress, issues one write, and ends the connection when wslay wants
// neither to read nor to write. wslay never sees an fd.
//
// Data messages are not buffered whole (no_buffering): payload reaches
// on_data in pieces as frames arrive. Text is checked as UTF-8 (1007),
// messages over max_message are refused (1009); wslay answers pings and
// closes, and refuses protocol errors with 1002.
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
#include "protocols/ws/utf8.hpp"

namespace lb::ws {

enum class Role { client, server };

struct SessionOptions {
  std::uint64_t max_message = 8 << 20;
  std::size_t send_queue = 128;  // messages queued before send() says no
};

struct SessionHandlers {
  // A piece of a data message; `last` once the message is complete (then
  // the piece may be empty).
  std::function<void(std::span<const std::byte> piece, bool last)> on_data;
  // The send queue has room again after send() returned false, or
  // everything queued has been written (see idle()).
  std::function<void()> on_writable;
  // The connection is over: the close code the peer sent (1005 none, 1006
  // dropped without a close frame) and the transport error, if any. The
  // session may be destroyed from here.
  std::function<void(std::uint16_t code, std::error_code ec)> on_closed;
  // When set, text messages (a protocol's small control messages) arrive
  // here whole and valid UTF-8 instead of through on_data.
  std::function<void(std::string_view text)> on_text;
};

class Session {
 public:
  Session(Loop& loop, Stream stream, Role role, SessionOptions options, SessionHandlers handlers);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Begins reading; `already_read` are bytes that came with the handshake.
  void start(std::span<const std::byte> already_read);
  // Queues one binary message (wslay copies it). False when the send queue
  // is full; on_writable follows once there is room.
  bool send(std::span<const std::byte> message);
  // Queues one text message (must be UTF-8); false as for send().
  bool send_text(std::string_view text);
  // Stops taking input (at most wslay's 4 KiB buffer is still parsed) until
  // resume_reading(); the peer then meets TCP backpressure. Either may be
  // called from on_data.
  void pause_reading();
  void resume_reading();
  // Starts the closing handshake once every message queued before it is
  // written (wslay alone would send the close frame ahead of queued data).
  // send() refuses further messages from here on.
  void close(std::uint16_t code, std::string_view reason = {});
  std::size_t queued_messages() const;
  // Nothing queued in wslay and nothing framed waiting to be written.
  bool idle() const;
  std::uint64_t messages_received() const { return messages_received_; }

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
  void start_reading();
  void on_read(std::error_code ec, std::span<const std::byte> data);
  void proceed();
  void refuse(std::uint16_t code);
  void close_if_drained();
  void finish(std::error_code ec);

  Loop& loop_;
  Stream stream_;
  Role role_;
  SessionOptions options_;
  SessionHandlers handlers_;
  std::unique_ptr<wslay_event_context, void (*)(wslay_event_context_ptr)> ctx_;
  std::span<const std::byte> input_;  // unread part of the current read
  Bytes held_;        // read but not yet given to wslay: handshake leftovers, or a pause's
  Timer held_timer_;  // delivers them on the next turn
  bool paused_ = false;
  Bytes output_;  // framed bytes not yet written
  Bytes spare_;   // the previous output buffer, for reuse
  bool write_in_flight_ = false;
  bool send_blocked_ = false;  // send() said no; owe on_writable
  bool finished_ = false;
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
  std::uint64_t messages_received_ = 0;
};

}  // namespace lb::ws
