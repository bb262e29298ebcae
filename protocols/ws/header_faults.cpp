#include "protocols/ws/header_faults.hpp"

#include <algorithm>

#include "protocols/ws/frame.hpp"

namespace lb::ws {

// RSV bits (no extension is agreed), reserved opcodes, and the order of a
// fragmented message's frames; follows that order as frames begin.
bool HeaderFaults::first_byte_allowed(std::uint8_t byte) {
  const std::uint8_t opcode = byte & 0x0F;
  const bool fin = (byte & 0x80) != 0;
  if ((byte & 0x70) != 0) return false;
  if (is_control(opcode)) return opcode <= 0xA;
  if (opcode > 0x2) return false;
  if ((opcode == 0x0) != in_message_) return false;  // continuation iff a message is open
  in_message_ = !fin;
  return true;
}

std::size_t HeaderFaults::clear_prefix(std::span<const std::byte> data) {
  if (found_ || close_ahead_) return 0;
  std::size_t i = 0;
  while (i < data.size()) {
    if (payload_left_ > 0) {
      const auto skip =
          static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, data.size() - i));
      payload_left_ -= skip;
      i += skip;
      continue;
    }
    const auto byte = static_cast<std::uint8_t>(data[i]);
    if (header_seen_ == 0 && hold_closes_ && (byte & 0x0F) == 0x8 && !close_released_) {
      close_ahead_ = close_released_ = true;
      return i;
    }
    const std::size_t at = header_seen_++;
    if (at == 0) {
      first_ = byte;
      if (!first_byte_allowed(byte)) {
        found_ = true;
        return i;
      }
    } else if (at == 1) {
      const std::uint8_t len7 = byte & 0x7F;
      const bool fin = (first_ & 0x80) != 0;
      if (is_control(first_ & 0x0F) && (!fin || len7 > kMaxControlPayload)) {
        found_ = true;
        return i;
      }
      length_bytes_ = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
      header_size_ = 2 + length_bytes_ + ((byte & 0x80) ? 4 : 0);
      length_ = len7 < 126 ? len7 : 0;
    } else if (at < 2 + length_bytes_) {
      length_ = (length_ << 8) | byte;
      if (at == 9 && (length_ >> 63)) {
        found_ = true;
        return i;
      }
    }
    ++i;
    if (header_seen_ == header_size_) {
      payload_left_ = length_;
      header_seen_ = 0;
      header_size_ = 2;
    }
  }
  return data.size();
}

}  // namespace lb::ws
