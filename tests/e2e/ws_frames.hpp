#pragma once
// WebSocket frames on the wire for tests that speak raw RFC 6455 to our
// servers: a client frame (masked with a fixed key unless told otherwise)
// and the server's frames read back after the 101.
#include <cstdint>
#include <string>
#include <vector>

namespace lb::test {

// One client frame: first byte, payload; `length` overrides the encoded length.
inline std::string ws_frame(unsigned char b0, const std::string& payload, bool masked = true,
                            std::uint64_t length = UINT64_MAX) {
  const std::uint64_t n = length == UINT64_MAX ? payload.size() : length;
  std::string out(1, static_cast<char>(b0));
  const unsigned char mask_bit = masked ? 0x80 : 0;
  if (n < 126) {
    out += static_cast<char>(mask_bit | n);
  } else if (n < 65536) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i)
      out += static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  const unsigned char key[4] = {0x11, 0x22, 0x33, 0x44};
  if (masked) out.append(reinterpret_cast<const char*>(key), 4);
  out.reserve(out.size() + payload.size());
  for (std::size_t i = 0; i < payload.size(); ++i)
    out += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return out;
}

// A close frame's body: the code, big-endian.
inline std::string ws_close_code(int c) {
  return std::string{static_cast<char>(c >> 8), static_cast<char>(c & 0xFF)};
}

struct WsWireFrame {
  int opcode = 0;
  bool fin = true;
  std::string payload;
  // A close frame's code (1005 when it has none).
  int close_code() const {
    return payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                     static_cast<unsigned char>(payload[1])
                               : 1005;
  }
};

// The server's whole frames after the handshake's blank line; a frame cut
// short ends the list. `handshake_seen` says whether the head was there.
inline std::vector<WsWireFrame> ws_server_frames(const std::string& wire,
                                                 bool* handshake_seen = nullptr) {
  std::vector<WsWireFrame> frames;
  const auto head_end = wire.find("\r\n\r\n");
  if (handshake_seen) *handshake_seen = head_end != std::string::npos;
  if (head_end == std::string::npos) return frames;
  std::size_t at = head_end + 4;
  while (at + 2 <= wire.size()) {
    const auto b0 = static_cast<unsigned char>(wire[at]);
    std::uint64_t n = static_cast<unsigned char>(wire[at + 1]) & 0x7F;
    std::size_t header = 2;
    if (n == 126) {
      if (at + 4 > wire.size()) break;
      n = (static_cast<unsigned char>(wire[at + 2]) << 8) |
          static_cast<unsigned char>(wire[at + 3]);
      header = 4;
    } else if (n == 127) {
      if (at + 10 > wire.size()) break;
      n = 0;
      for (int i = 0; i < 8; ++i)
        n = (n << 8) | static_cast<unsigned char>(wire[at + 2 + i]);
      header = 10;
    }
    if (at + header + n > wire.size()) break;
    frames.push_back({b0 & 0x0F, (b0 & 0x80) != 0, wire.substr(at + header, n)});
    at += header + n;
  }
  return frames;
}

}  // namespace lb::test
