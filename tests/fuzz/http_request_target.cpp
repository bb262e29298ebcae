// The server's request reader: any bytes, cut anywhere, end in requests or
// one refusal; after a refusal nothing more is read.
#include <cstdlib>
#include <string_view>

#include "engine/buffer.hpp"
#include "protocols/http/request_reader.hpp"
#include "protocols/http/routes.hpp"
#include "targets.hpp"

namespace lb::fuzz {

int http_request(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t cut = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  http::RequestReader reader;
  reader.on_continue([] {});
  int status = 0;
  for (std::size_t at = 0; at < input.size() && status == 0;) {
    const std::size_t n = piece_size(cut, input.size() - at);
    status = reader.feed(as_bytes(input.substr(at, n)), [](const http::Request& r) {
      // What the server does with a request: route it.
      static const http::Routes routes;
      (void)http::origin_form(r.target);
      if (r.method.empty()) std::abort();
    });
    at += n;
  }
  if (status != 0 && reader.feed(as_bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                                 [](const http::Request&) { std::abort(); }) != status)
    std::abort();
  return 0;
}

}  // namespace lb::fuzz
