#pragma once
// What both WebSocket codecs do the same way around their framing: the
// stream, the handlers, reading with bytes held back (the handshake's
// leftovers, or what a pause left unread, delivered on the next turn
// before the stream reads again), pause and resume, and on_writable on a
// later turn. A codec supplies how it takes held and newly read bytes.
#include <cstdint>
#include <span>
#include <system_error>

#include "engine/buffer.hpp"
#include "engine/handles.hpp"
#include "engine/loop.hpp"
#include "protocols/ws/session.hpp"

namespace lb::ws {

class SessionBase : public Session {
 public:
  void start(std::span<const std::byte> already_read) final;
  void pause_reading() final;
  void resume_reading() final;
  void writable_next_turn() final;
  Loop& loop() final { return loop_; }
  std::uint64_t messages_received() const final { return messages_received_; }

 protected:
  SessionBase(Loop& loop, Stream stream, SessionOptions options, SessionHandlers handlers)
      : loop_(loop),
        stream_(std::move(stream)),
        options_(options),
        handlers_(std::move(handlers)) {}

  // Delivers held_ first, on the next turn, and reads the stream only
  // after it, so nothing read later can overtake it (the stream is not
  // reading, and a backend may still hold bytes for us).
  void start_reading();
  // Bytes the stream read (or its end, `ec`).
  virtual void on_read(std::error_code ec, std::span<std::byte> data) = 0;
  // Takes what it can of held_ on the held timer; true when all of it is
  // taken and the stream may read again.
  virtual bool take_held() = 0;
  // Reading waits for something besides a pause (wslay: the peer's Close
  // held until our queued messages are written).
  virtual bool reading_held() const { return false; }
  bool reading_paused() const { return paused_ || reading_held(); }
  // After a write: on_writable when send() said no and the queue has room
  // again, or when nothing is left to write.
  void writable_if_room();

  Loop& loop_;
  Stream stream_;
  SessionOptions options_;
  SessionHandlers handlers_;
  Bytes held_;  // read but not yet taken: handshake leftovers, or a pause's
  Timer held_timer_;
  Timer writable_timer_;
  bool paused_ = false;        // by pause_reading()
  bool finished_ = false;      // on_closed has run or is running
  bool send_blocked_ = false;  // send() said no; owe on_writable
  std::uint64_t messages_received_ = 0;
};

}  // namespace lb::ws
