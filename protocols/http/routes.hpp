#pragma once
// What the benchmark server answers: /1k, /20k, /200k (random bytes made
// once at start), /bytes/N for any N up to 64 MiB, 404 otherwise. Every
// response is a BufferList of header and body slices over shared memory, so
// serving copies nothing and leaves in one write.
#include <cstdint>
#include <string_view>

#include "engine/buffer.hpp"

namespace lb::http {

// What a request gets, independent of how it is framed (HTTP/1.1 heads
// are built from it; HTTP/2 sends it as HEADERS and DATA frames).
struct Resource {
  int status = 200;
  const char* content_type = "application/octet-stream";
  std::uint64_t length = 0;  // Content-Length
  Slice body;                // empty for HEAD
};

class Routes {
 public:
  static constexpr std::uint64_t kMaxBytes = 64ull << 20;
  Routes();
  Resource resource(std::string_view method, std::string_view target) const;
  // The full response for a GET or HEAD of `target`.
  BufferList respond(std::string_view method, std::string_view target, bool keep_alive) const;
  // A bodyless error response that announces the connection's close.
  static BufferList error(int status);
  // The interim answer to "Expect: 100-continue".
  static BufferList continue_response();
  // The bytes a client should get for a size route ("1k" -> 1024).
  static std::uint64_t route_size(std::string_view name);

 private:
  SharedBytes body_;  // kMaxBytes random bytes; every route is a prefix
  // Keep-alive 200 heads of /1k, /20k, /200k, built once (no allocation on
  // the hot path).
  Slice head_1k_, head_20k_, head_200k_;
};

}  // namespace lb::http
