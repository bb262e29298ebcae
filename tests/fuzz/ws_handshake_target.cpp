// Both sides of the WebSocket opening handshake: the server reads a request
// and answers it; the client checks an answer against its key.
#include <cstdlib>
#include <string_view>

#include "engine/buffer.hpp"
#include "protocols/http/request_reader.hpp"
#include "protocols/ws/handshake.hpp"
#include "targets.hpp"

namespace lb::fuzz {

int ws_handshake(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  http::RequestReader reader;
  reader.feed(as_bytes(input), [](const http::Request& r) {
    const auto verdict = ws::answer_request(r);
    if (verdict.status != 101 && verdict.reason.empty()) std::abort();
    if (verdict.response.empty()) std::abort();
  });
  (void)ws::check_response(input, "dGhlIHNhbXBsZSBub25jZQ==");
  return 0;
}

}  // namespace lb::fuzz
