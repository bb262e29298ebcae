// The WebSocket session over each backend's real sockets: a reader that
// pauses after every message (as a full receive queue does) and resumes on a
// later turn must still see every message, whole and in order; the bytes a
// pause leaves unread are held, not dropped, whatever the backend delivered.
// A close called right after queueing goes out after all of them. Both
// codecs.
#include <cstring>

#include "harness.hpp"
#include "protocols/ws/session.hpp"

namespace lb::test {
namespace {

Bytes numbered_message(std::uint32_t number, std::size_t size) {
  Bytes m(size, static_cast<std::byte>(number * 7));
  std::memcpy(m.data(), &number, sizeof number);
  return m;
}

}  // namespace

TEST_CASE("a WebSocket reader paused after every message loses and reorders nothing") {
  constexpr std::uint32_t kMessages = 3000;
  constexpr std::size_t kSize = 1000;  // many messages per read, and per wslay buffer
  for (const ws::Codec codec : ws::built_codecs()) {
    INFO("codec " << std::string(ws::codec_name(codec)));
    auto loop = make_test_loop();
    {
      std::unique_ptr<ws::Session> server, client;
      bool server_closed = false, client_closed = false;
      std::uint16_t client_saw = 0;
      std::uint32_t next = 0;
      Bytes message;
      bool order_ok = true;

      ws::SessionOptions options;
      options.send_queue = kMessages + 1;
      options.codec = codec;
      Listener listener = listen_local(*loop, [&](Stream s) {
        server = ws::make_session(
            *loop, std::move(s), ws::Role::server, options,
            ws::SessionHandlers{nullptr, nullptr,
                                [&](std::uint16_t, std::error_code) { server_closed = true; },
                                nullptr});
        server->start({});
        for (std::uint32_t i = 0; i < kMessages; ++i)
          REQUIRE(server->send(numbered_message(i, kSize)));
        // At once: the close must still follow every queued message.
        server->close(1000, "done");
        CHECK_FALSE(server->send(numbered_message(kMessages, kSize)));
      });

      loop->connect(Endpoint{"127.0.0.1", listener.local_port()}, [&](std::error_code ec,
                                                                      Stream s) {
        REQUIRE_MESSAGE(!ec, ec.message());
        client = ws::make_session(
            *loop, std::move(s), ws::Role::client, options,
            ws::SessionHandlers{[&](std::span<const std::byte> piece, bool last) {
                                  message.insert(message.end(), piece.begin(), piece.end());
                                  if (!last) return;
                                  order_ok = order_ok && message == numbered_message(next, kSize);
                                  ++next;
                                  message.clear();
                                  client->pause_reading();
                                  loop->defer([&] { client->resume_reading(); });
                                },
                                nullptr,
                                [&](std::uint16_t code, std::error_code) {
                                  client_saw = code;
                                  client_closed = true;
                                },
                                nullptr});
        client->start({});
      });

      CHECK(run_until(*loop, [&] { return server_closed && client_closed; }));
      CHECK(next == kMessages);
      CHECK(order_ok);
      CHECK(client_saw == 1000);
    }
    check_no_live_handles(*loop);
  }
}

}  // namespace lb::test
