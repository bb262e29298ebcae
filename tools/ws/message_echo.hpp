#pragma once
// Echoes each whole message back over one WebSocket session as it came:
// binary as binary (the native server sends it without a copy), text as
// text. At most one message waits for room in the send queue; reading
// pauses until the queue takes it. bench echo's /echo route and the
// conformance client (ws conformance) echo through it.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/buffer.hpp"
#include "protocols/ws/session.hpp"

namespace lb {

class MessageEcho {
 public:
  // The session the echoes go out on; set before the first message.
  void attach(ws::Session& session) { session_ = &session; }

  // The session's handlers, forwarded.
  void on_data(std::span<const std::byte> piece, bool last);
  void on_text(std::string_view text);
  void on_writable();

 private:
  void send_waiting();

  ws::Session* session_ = nullptr;
  Bytes message_;
  SharedBytes waiting_;
  std::optional<std::string> waiting_text_;
  bool paused_ = false;
};

}  // namespace lb
