#pragma once
// Follows frame boundaries in received bytes, one byte at a time where it
// matters, and stops at the first header fault, for the wslay session to
// refuse itself with 1002 after the replies it has queued (wslay hands
// only the bytes before the fault):
//  * those wslay 1.1.1 answers by dropping the connection without a Close
//    frame: a control frame that is fragmented or longer than 125 bytes
//    (seen at the header's second byte, as wslay sees it) and a 64-bit
//    length with the top bit set (at its last length byte);
//  * those wslay answers with a Close of its own, which it sends ahead of
//    the messages already queued (an echo of the valid message before the
//    fault would be lost): RSV bits set, a reserved opcode, a continuation
//    with no message started, a new message inside a fragmented one (all
//    seen at the header's first byte).
// With hold_closes(), it also stops before each Close frame from the peer
// until release_close(): wslay answers a Close with its own at once, ahead
// of the messages queued before it, so the session lets the Close through
// only once those are written.
#include <cstddef>
#include <cstdint>
#include <span>

namespace lb::ws {

class HeaderFaults {
 public:
  // How many leading bytes of `data` are clear; fewer than data.size()
  // once a fault is found (its last header byte is the first one not clear).
  std::size_t clear_prefix(std::span<const std::byte> data);
  bool found() const { return found_; }
  void hold_closes() { hold_closes_ = true; }
  // Stopped before a Close frame (not a fault); release_close() lets it through.
  bool close_ahead() const { return close_ahead_; }
  void release_close() { close_ahead_ = false; }

 private:
  bool first_byte_allowed(std::uint8_t byte);

  std::uint64_t payload_left_ = 0;
  std::size_t header_seen_ = 0;   // bytes of the current header
  std::size_t header_size_ = 2;   // known once its second byte is in
  std::size_t length_bytes_ = 0;  // 0, 2 or 8 after the second byte
  std::uint8_t first_ = 0;
  std::uint64_t length_ = 0;
  bool in_message_ = false;  // a fragmented data message has begun
  bool found_ = false;
  bool hold_closes_ = false;
  bool close_ahead_ = false;
  bool close_released_ = false;  // the held Close's first byte may pass
};

}  // namespace lb::ws
