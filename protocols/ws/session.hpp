#pragma once
// A WebSocket connection after the opening handshake: RFC 6455 framing over
// any lb::Stream (TCP or TLS), by one of two codecs behind this interface:
//
//  * native (native_session.hpp): our own framing, built for memory speed:
//    masking in wide words fused with the one copy a client's send makes,
//    in-place unmasking in the read buffer on the server, payloads sent
//    from shared buffers without a copy;
//  * wslay (wslay_session.hpp): wslay 1.1.1's event API, the reference.
//
// Both deliver data messages in pieces as frames arrive (no message is
// buffered whole), check text as UTF-8 (1007), refuse messages over
// max_message (1009) and protocol errors (1002) with a Close frame carrying
// the code, answer pings, and run the closing handshake.
//
// No handler runs from inside the call that caused it, except on_data and
// on_text, which run inside the transport's read callback; a handler may
// destroy the session only from on_closed.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "engine/buffer.hpp"
#include "engine/handles.hpp"
#include "engine/loop.hpp"

namespace lb::ws {

enum class Role { client, server };
enum class Codec { native, wslay };

// "native" / "wslay"; parse_codec throws std::invalid_argument otherwise.
const char* codec_name(Codec codec);
Codec parse_codec(std::string_view name);
// The codecs this build has, native first. wslay is left out of a Windows
// build made without its sources (BUILD.md); make_session never gets it there.
std::vector<Codec> built_codecs();
std::vector<std::string> built_codec_names();

struct SessionOptions {
  std::uint64_t max_message = 8 << 20;
  std::size_t send_queue = 128;  // messages queued before send() says no
  Codec codec = Codec::native;
};

struct SessionHandlers {
  // A piece of a data message; `last` once the message is complete (then
  // the piece may be empty). The bytes are valid during the call only.
  std::function<void(std::span<const std::byte> piece, bool last)> on_data;
  // The send queue has room again after send() returned false, or
  // everything queued has been written (see idle()).
  std::function<void()> on_writable;
  // The connection is over: the close code the peer sent (1005 none, 1006
  // dropped without a close frame; the code we refused with when we ended
  // it for a protocol error) and the transport error, if any. The session
  // may be destroyed from here.
  std::function<void(std::uint16_t code, std::error_code ec)> on_closed;
  // When set, text messages (a protocol's small control messages) arrive
  // here whole and valid UTF-8 instead of through on_data.
  std::function<void(std::string_view text)> on_text;
};

class Session {
 public:
  virtual ~Session() = default;

  // Begins reading; `already_read` are bytes that came with the handshake.
  virtual void start(std::span<const std::byte> already_read) = 0;
  // Queues one binary message, copied (a client masks while it copies).
  // False when the send queue is full; on_writable follows once there is
  // room. False for good after close() or the end of the connection.
  virtual bool send(std::span<const std::byte> message) = 0;
  // The same for bytes the session may keep until they are written: the
  // native server sends them without a copy.
  virtual bool send(Slice message) = 0;
  // Queues one text message (must be UTF-8); false as for send().
  virtual bool send_text(std::string_view text) = 0;
  // Stops taking input until resume_reading(); the peer then meets TCP
  // backpressure. Either may be called from on_data.
  virtual void pause_reading() = 0;
  virtual void resume_reading() = 0;
  // Starts the closing handshake once every message queued before it is
  // written. send() refuses further messages from here on.
  virtual void close(std::uint16_t code, std::string_view reason = {}) = 0;
  virtual std::size_t queued_messages() const = 0;
  // on_writable on a later loop turn: a sender that stopped with room left
  // (its share of one turn's work done) goes on from there.
  virtual void writable_next_turn() = 0;
  virtual Loop& loop() = 0;
  // Nothing queued and nothing framed waiting to be written.
  virtual bool idle() const = 0;
  virtual std::uint64_t messages_received() const = 0;
};

// A session of `options.codec` over `stream` (the handshake already done).
std::unique_ptr<Session> make_session(Loop& loop, Stream stream, Role role, SessionOptions options,
                                      SessionHandlers handlers);

}  // namespace lb::ws
