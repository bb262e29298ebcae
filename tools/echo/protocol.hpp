#pragma once
// bench echo's messages on plain TCP: a 4-byte little-endian payload
// length, then the payload. The server echoes bytes, not messages, so any
// echo server serves them; the client reads its messages back by the same
// lengths. On ws:// and wss:// a message is one binary WebSocket message.
#include <array>
#include <cstdint>

namespace lb::echo {

inline constexpr std::size_t kLengthBytes = 4;
inline constexpr std::size_t kMaxMessage = 1 << 20;

inline std::array<std::byte, kLengthBytes> encode_length(std::uint32_t n) {
  return {std::byte(n & 0xff), std::byte((n >> 8) & 0xff), std::byte((n >> 16) & 0xff),
          std::byte(n >> 24)};
}

inline std::uint32_t decode_length(const std::array<std::byte, kLengthBytes>& b) {
  return std::to_integer<std::uint32_t>(b[0]) | std::to_integer<std::uint32_t>(b[1]) << 8 |
         std::to_integer<std::uint32_t>(b[2]) << 16 | std::to_integer<std::uint32_t>(b[3]) << 24;
}

}  // namespace lb::echo
