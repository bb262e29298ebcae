// WebSocket frame handling in both roles on both codecs, from memory: the
// first byte picks codec, role and how the input is cut; the session must
// end (or wait for more) without a crash, and answer pings and closes.
#include <memory>

#include "../unit/memory_stream.hpp"
#include "protocols/ws/session.hpp"
#include "targets.hpp"

namespace lb::fuzz {

int ws_frames(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  auto loop = test::make_memory_loop();
  auto wire = std::make_shared<test::MemoryStream>();
  ws::SessionOptions options;
  // wslay where this build has it (BUILD.md: not on Windows).
  options.codec = ws::built_codecs()[(selector >> 4 & 1) % ws::built_codecs().size()];
  options.max_message = 64 * 1024;
  const ws::Role role = (selector & 0x20) ? ws::Role::client : ws::Role::server;
  bool closed = false;
  ws::Session* raw = nullptr;
  auto session = ws::make_session(
      *loop, Stream(wire), role, options,
      ws::SessionHandlers{[&](std::span<const std::byte>, bool last) {
                            // An echo, as the built-in server does, to exercise sending.
                            if (last && raw && (selector & 0x40)) raw->send_text("ok");
                          },
                          nullptr, [&](std::uint16_t, std::error_code) { closed = true; },
                          nullptr});
  raw = session.get();
  session->start({});
  for (std::size_t at = 0; at < input.size() && !closed;) {
    const std::size_t n = piece_size(selector, input.size() - at);
    wire->deliver(input.subspan(at, n));
    for (int i = 0; i < 3; ++i) {
      loop->run_nowait();
      wire->complete_writes();
    }
    at += n;
  }
  if (selector & 0x80) {
    wire->end();
    loop->run_nowait();
  }
  session.reset();
  loop->run_nowait();
  return 0;
}

}  // namespace lb::fuzz
