// The TLS stream fed arbitrary ciphertext, as a server (a ClientHello
// expected) or as a client (after its own ClientHello went out): the
// handshake fails with an error or waits for more, never crashes.
#include <cstdlib>
#include <memory>

#include "../unit/memory_stream.hpp"
#include "protocols/tls/certificate.hpp"
#include "protocols/tls/tls_context.hpp"
#include "protocols/tls/tls_stream.hpp"
#include "targets.hpp"

namespace lb::fuzz {

int tls_stream(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const tls::Certificate identity = tls::make_self_signed();
  static const auto server_ctx = tls::make_server_context(identity);
  static const auto client_ctx = [] {
    tls::ClientConfig config;
    config.verify = false;
    return tls::make_client_context(config);
  }();
  const std::uint8_t selector = data[0];
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  auto loop = test::make_memory_loop();
  auto wire = std::make_shared<test::MemoryStream>();
  const bool server = (selector & 0x10) == 0;
  Stream plain;
  bool done = false;
  auto handshake =
      tls::start_tls(*loop, Stream(wire), server ? server_ctx.get() : client_ctx.get(),
                     server ? tls::Role::server : tls::Role::client, "localhost",
                     [&](std::error_code ec, Stream s) {
                       done = true;
                       if (ec) return;
                       plain = std::move(s);
                       plain.read_start([](std::error_code, std::span<const std::byte>) {});
                     });
  loop->run_nowait();
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t n = piece_size(selector, input.size() - at);
    if (!wire->deliver(input.subspan(at, n))) break;
    loop->run_nowait();
    wire->complete_writes();
    at += n;
  }
  // The peer goes away, as every connection eventually does: a pending
  // handshake fails and lets go of everything it holds.
  wire->end();
  loop->run_nowait();
  if (!done) std::abort();
  plain = Stream{};
  loop->run_nowait();
  return 0;
}

}  // namespace lb::fuzz
