// WebSocket pieces without sockets: the handshake values, UTF-8 checks, the
// /ws query.
#include <doctest/doctest.h>

#include "engine/buffer.hpp"
#include "protocols/ws/handshake.hpp"
#include "protocols/ws/utf8.hpp"
#include "tools/ws/throughput.hpp"

namespace lb {

TEST_CASE("Sec-WebSocket-Accept matches RFC 6455's example") {
  CHECK(ws::accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  CHECK(ws::make_key().size() == 24);
  CHECK(ws::make_key() != ws::make_key());
}

TEST_CASE("the client checks the 101 answer") {
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  const std::string good =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
  CHECK(ws::check_response(good, key).empty());
  CHECK_FALSE(ws::check_response("HTTP/1.1 200 OK\r\n", key).empty());
  std::string wrong = good;
  wrong.replace(wrong.find("s3pP"), 4, "AAAA");
  CHECK(ws::check_response(wrong, key) == "wrong Sec-WebSocket-Accept");
}

TEST_CASE("UTF-8 validation, also split at every byte") {
  const std::string valid = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80";
  const std::vector<std::string> invalid = {
      "\xC0\xAF",          // overlong
      "\xED\xA0\x80",      // surrogate
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xFF",              // never valid
      "\x80",              // lone continuation
  };
  for (std::size_t split = 0; split <= valid.size(); ++split) {
    ws::Utf8Validator v;
    CHECK(v.feed(as_bytes(std::string_view(valid).substr(0, split))));
    CHECK(v.feed(as_bytes(std::string_view(valid).substr(split))));
    CHECK(v.complete());
  }
  for (const auto& bad : invalid) {
    ws::Utf8Validator v;
    CHECK_FALSE(v.feed(as_bytes(bad)));
  }
  ws::Utf8Validator truncated;
  CHECK(truncated.feed(as_bytes("\xE2\x82")));
  CHECK_FALSE(truncated.complete());
}

TEST_CASE("the /ws query decides the test") {
  WsTestSpec spec;
  CHECK(parse_ws_test_target("/ws?test=upload&total=1000&chunk=10", spec).empty());
  CHECK(spec.direction == "upload");
  CHECK(spec.total == 1000);
  CHECK(spec.chunk == 10);
  CHECK(parse_ws_test_target("/ws", spec).empty());
  CHECK(spec.direction == "download");  // the original's default
  CHECK_FALSE(parse_ws_test_target("/other", spec).empty());
  CHECK_FALSE(parse_ws_test_target("/ws?test=sideways", spec).empty());
  CHECK_FALSE(parse_ws_test_target("/ws?chunk=0", spec).empty());
  CHECK_FALSE(parse_ws_test_target("/ws?total=12x", spec).empty());
  CHECK(ws_test_target("/ws", {"concurrent", 5, 6}) == "/ws?test=concurrent&total=5&chunk=6");
  // For a time: until the client's "stop".
  CHECK_FALSE(spec.until_stop);
  CHECK(parse_ws_test_target("/ws?test=upload&until=stop", spec).empty());
  CHECK(spec.until_stop);
  CHECK_FALSE(parse_ws_test_target("/ws?until=later", spec).empty());
  CHECK(ws_test_target("/ws", {"download", 0, 6, true}) ==
        "/ws?test=download&total=0&chunk=6&until=stop");
}

}  // namespace lb
