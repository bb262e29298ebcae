#pragma once
// A WebSocket session over an in-memory stream, recording what it hands
// out, and the frames tests feed it: shared by the codec tests.
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "memory_stream.hpp"
#include "protocols/ws/frame.hpp"
#include "protocols/ws/header_faults.hpp"
#include "protocols/ws/mask.hpp"
#include "protocols/ws/session.hpp"

namespace lb::test {

inline Bytes bytes_of(std::string_view s) {
  const auto b = as_bytes(s);
  return Bytes(b.begin(), b.end());
}

// One session over a MemoryStream, recording what it hands out.
struct WireSession {
  std::unique_ptr<Loop> loop = make_memory_loop();
  std::shared_ptr<MemoryStream> wire = std::make_shared<MemoryStream>();
  std::unique_ptr<ws::Session> session;
  std::vector<Bytes> messages;
  Bytes current;
  bool closed = false;
  std::uint16_t code = 0;
  std::error_code error;

  WireSession(ws::Codec codec, ws::Role role, std::uint64_t max_message = 1 << 20) {
    ws::SessionOptions o;
    o.codec = codec;
    o.max_message = max_message;
    o.send_queue = 100000;
    session = ws::make_session(
        *loop, Stream(wire), role, o,
        ws::SessionHandlers{[this](std::span<const std::byte> piece, bool last) {
                              current.insert(current.end(), piece.begin(), piece.end());
                              if (!last) return;
                              messages.push_back(current);
                              current.clear();
                            },
                            nullptr,
                            [this](std::uint16_t c, std::error_code ec) {
                              closed = true;
                              code = c;
                              error = ec;
                            },
                            nullptr});
    session->start({});
    turn();
  }
  ~WireSession() {
    session.reset();
    loop->run_nowait();
  }
  // A few loop turns: held bytes, batches and write completions all settle.
  void turn() {
    for (int i = 0; i < 4; ++i) {
      loop->run_nowait();
      wire->complete_writes();
    }
  }
  void feed(std::span<const std::byte> data) {
    wire->deliver(data);
    turn();
  }
  void end_input() {
    wire->end();
    turn();
  }
};

// The close code of the first Close frame in `wire` (unmasked or masked),
// 1005 for a Close without one, 0 when there is none.
inline int close_code_written(const Bytes& wire) {
  ws::HeaderReader reader;
  std::size_t at = 0;
  while (at < wire.size()) {
    at += reader.feed(std::span(wire).subspan(at));
    if (!reader.done()) return 0;
    const auto h = reader.header();
    reader.reset();
    if (at + h.length > wire.size()) return 0;
    if (h.opcode == ws::kClose) {
      if (h.length < 2) return 1005;
      Bytes body(wire.begin() + static_cast<std::ptrdiff_t>(at),
                 wire.begin() + static_cast<std::ptrdiff_t>(at + 2));
      ws::MaskKey key{h.mask, 0};
      if (h.masked) ws::unmask_in_place(body, key);
      return std::to_integer<int>(body[0]) << 8 | std::to_integer<int>(body[1]);
    }
    at += h.length;
  }
  return 0;
}

// A client frame as a peer would write it (masked unless told otherwise);
// `b0` is FIN, RSV and opcode.
inline Bytes client_frame(std::uint8_t b0, std::span<const std::byte> payload, bool masked = true,
                          std::uint64_t length = UINT64_MAX) {
  const std::uint64_t n = length == UINT64_MAX ? payload.size() : length;
  Bytes out(ws::kMaxFrameHeader + payload.size());
  const std::uint8_t key[4] = {0x37, 0xFA, 0x21, 0x3D};
  std::size_t h =
      ws::write_frame_header(out.data(), b0 & 0x0F, (b0 & 0x80) != 0, n, masked ? key : nullptr);
  out[0] = std::byte{b0};  // RSV bits as given
  ws::MaskKey k{{key[0], key[1], key[2], key[3]}, 0};
  if (masked)
    ws::mask_copy(out.data() + h, payload.data(), payload.size(), k);
  else if (!payload.empty())
    std::memcpy(out.data() + h, payload.data(), payload.size());
  out.resize(h + payload.size());
  return out;
}

inline Bytes close_body(int code, std::string_view reason = {}) {
  Bytes b{std::byte(code >> 8), std::byte(code & 0xFF)};
  const auto r = as_bytes(reason);
  b.insert(b.end(), r.begin(), r.end());
  return b;
}

}  // namespace lb::test
