// The native WebSocket codec without sockets: masking and frame headers
// against plain references, and a session fed input split at every byte
// (header faults and the differential test against wslay are in
// ws_codec_faults_test.cpp).
#include <doctest/doctest.h>

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
#include "ws_wire_session.hpp"

namespace lb::test {

TEST_CASE("masking in wide words matches the byte-by-byte definition at every phase") {
  std::mt19937 rng(7);
  Bytes src(300);
  for (auto& b : src)
    b = std::byte(rng());
  for (std::size_t phase = 0; phase < 4; ++phase) {
    for (std::size_t n = 0; n <= src.size(); ++n) {
      ws::MaskKey key{{0xA1, 0x02, 0xF3, 0x44}, phase};
      Bytes copy(n), in_place(src.begin(), src.begin() + static_cast<std::ptrdiff_t>(n));
      ws::MaskKey key2 = key;
      ws::mask_copy(copy.data(), src.data(), n, key);
      ws::unmask_in_place(in_place, key2);
      bool ok = true;
      for (std::size_t i = 0; i < n; ++i)
        ok = ok && copy[i] == (src[i] ^ std::byte{key.key[(phase + i) % 4]});
      INFO("phase " << phase << " length " << n);
      CHECK(ok);
      CHECK(copy == in_place);
      CHECK(key.phase == (phase + n) % 4);
    }
  }
  // Pieces carry the key position: masking in two parts equals one pass.
  for (std::size_t cut = 0; cut <= 100; ++cut) {
    ws::MaskKey whole{{1, 2, 3, 4}, 0}, parts{{1, 2, 3, 4}, 0};
    Bytes a(src.begin(), src.begin() + 100), b = a;
    ws::unmask_in_place(a, whole);
    ws::unmask_in_place(std::span(b).first(cut), parts);
    ws::unmask_in_place(std::span(b).subspan(cut), parts);
    CHECK(a == b);
  }
}

TEST_CASE("frame headers round-trip, read one byte at a time") {
  const std::uint8_t mask[4] = {9, 8, 7, 6};
  for (std::uint64_t length : {0ull, 1ull, 125ull, 126ull, 65535ull, 65536ull, 1ull << 40}) {
    for (bool masked : {false, true}) {
      std::byte out[ws::kMaxFrameHeader];
      const auto n =
          ws::write_frame_header(out, ws::kBinary, true, length, masked ? mask : nullptr);
      CHECK(n == 2 + (length < 126 ? 0 : length < 65536 ? 2 : 8) + (masked ? 4 : 0));
      ws::HeaderReader reader;
      for (std::size_t i = 0; i < n; ++i) {
        CHECK_FALSE(reader.done());
        CHECK(reader.feed(std::span<const std::byte>(out + i, 1)) == 1);
      }
      REQUIRE(reader.done());
      CHECK(reader.header().length == length);
      CHECK(reader.header().masked == masked);
      CHECK(reader.header().fin);
      CHECK(reader.header().opcode == ws::kBinary);
      if (masked) CHECK(reader.header().mask[3] == 6);
    }
  }
}

TEST_CASE("close codes: 1000-1003, 1007-1011 and 3000-4999 are valid") {
  for (int c = 0; c < 6000; ++c) {
    const bool valid =
        (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1011) || (c >= 3000 && c <= 4999);
    CHECK(ws::valid_close_code(static_cast<std::uint16_t>(c)) == valid);
  }
}

TEST_CASE("native session: what a native client sends, a server reads split at every byte") {
  // The client side frames and masks; its wire bytes are the server's input.
  WireSession client(ws::Codec::native, ws::Role::client);
  std::vector<Bytes> sent;
  for (std::size_t n : {0, 1, 125, 126, 300}) {
    Bytes m(n);
    for (std::size_t i = 0; i < n; ++i)
      m[i] = std::byte(i * 31 + n);
    sent.push_back(m);
    REQUIRE(client.session->send(m));
  }
  auto shared = std::make_shared<Bytes>(Bytes(200, std::byte{0x5A}));
  REQUIRE(client.session->send(slice_of(shared)));
  sent.push_back(*shared);
  client.session->close(1000, "bye");
  CHECK_FALSE(client.session->send(sent.front()));
  client.turn();
  const Bytes wire = client.wire->written;
  CHECK(close_code_written(wire) == 1000);

  for (const auto codec : ws::built_codecs()) {
    INFO("server codec " << ws::codec_name(codec));
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
      WireSession server(codec, ws::Role::server);
      server.feed(std::span(wire).first(cut));
      server.feed(std::span(wire).subspan(cut));
      INFO("split at " << cut);
      REQUIRE(server.messages == sent);
      CHECK(close_code_written(server.wire->written) == 1000);  // the echo
      CHECK(server.closed);
      CHECK(server.code == 1000);
    }
    WireSession bytewise(codec, ws::Role::server);
    for (std::size_t i = 0; i < wire.size(); ++i)
      bytewise.feed(std::span(wire).subspan(i, 1));
    CHECK(bytewise.messages == sent);
  }
}

TEST_CASE("native session: a server's frames are read by a client, whole or one byte at a time") {
  WireSession server(ws::Codec::native, ws::Role::server);
  auto big = std::make_shared<Bytes>(100000);
  for (std::size_t i = 0; i < big->size(); ++i)
    (*big)[i] = std::byte(i * 7);
  REQUIRE(server.session->send(slice_of(big)));  // sent without a copy
  REQUIRE(server.session->send_text("héllo"));
  server.session->close(1000);
  server.turn();
  const Bytes wire = server.wire->written;
  for (const auto codec : ws::built_codecs()) {
    INFO("client codec " << ws::codec_name(codec));
    WireSession whole(codec, ws::Role::client), bytewise(codec, ws::Role::client);
    whole.feed(wire);
    for (std::size_t i = 0; i < wire.size(); ++i)
      bytewise.feed(std::span(wire).subspan(i, 1));
    for (auto* c : {&whole, &bytewise}) {
      REQUIRE(c->messages.size() == 2);
      CHECK(c->messages[0] == *big);
      CHECK(c->messages[1] == bytes_of("héllo"));
      CHECK(close_code_written(c->wire->written) == 1000);  // the client's echo
      c->end_input();                                       // the server's FIN
      CHECK(c->closed);
      CHECK(c->code == 1000);
    }
  }
}

TEST_CASE("native session: pings are answered with their payload; violations get a Close") {
  const Bytes hello = bytes_of("hello");
  struct Case {
    const char* name;
    Bytes input;
    int code;  // the Close the server sends
  };
  const Bytes big_control(126, std::byte{'x'});
  const std::vector<Case> cases = {
      {"RSV1 set", client_frame(0xC2, hello), 1002},
      {"reserved opcode 0x3", client_frame(0x83, hello), 1002},
      {"reserved control opcode 0xB", client_frame(0x8B, {}), 1002},
      {"unmasked client frame", client_frame(0x82, hello, false), 1002},
      {"ping over 125 bytes", client_frame(0x89, big_control), 1002},
      {"fragmented ping", client_frame(0x09, hello), 1002},
      {"64-bit length with top bit", client_frame(0x82, {}, true, 1ull << 63), 1002},
      {"continuation without start", client_frame(0x80, hello), 1002},
      {"close code 1005", client_frame(0x88, close_body(1005)), 1002},
      {"close code 2999", client_frame(0x88, close_body(2999)), 1002},
      {"close with 1-byte payload", client_frame(0x88, Bytes{std::byte{3}}), 1002},
      {"close reason not UTF-8", client_frame(0x88, close_body(1000, "\xff")), 1007},
      {"text not UTF-8", client_frame(0x81, bytes_of("a\xc3(")), 1007},
      {"message over max-msg", client_frame(0x82, Bytes(2000)), 1009},
      {"clean close 4000", client_frame(0x88, close_body(4000, "ok")), 4000},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    WireSession server(ws::Codec::native, ws::Role::server, 1024);
    for (std::size_t i = 0; i < c.input.size(); ++i)
      server.feed(std::span(c.input).subspan(i, 1));
    CHECK(close_code_written(server.wire->written) == c.code);
    server.end_input();
    CHECK(server.closed);
    CHECK(server.code == c.code);
  }
  WireSession server(ws::Codec::native, ws::Role::server);
  server.feed(client_frame(0x89, hello));
  const Bytes pong = server.wire->written;
  REQUIRE(pong.size() == 2 + hello.size());
  CHECK(std::to_integer<int>(pong[0]) == 0x8A);
  CHECK(Bytes(pong.begin() + 2, pong.end()) == hello);
}

TEST_CASE("native session: pausing holds what follows, whole messages or split") {
  WireSession client(ws::Codec::native, ws::Role::client);
  std::vector<Bytes> sent;
  for (int i = 0; i < 50; ++i) {
    sent.push_back(Bytes(static_cast<std::size_t>(i * 13), std::byte(i)));
    REQUIRE(client.session->send(sent.back()));
  }
  client.turn();
  const Bytes wire = client.wire->written;
  // Pause after every message; resume on a later turn.
  auto loop = make_memory_loop();
  std::vector<Bytes> got;
  Bytes current;
  auto wire2 = std::make_shared<MemoryStream>();
  std::unique_ptr<ws::Session> session;
  session = ws::make_session(*loop, Stream(wire2), ws::Role::server, ws::SessionOptions{},
                             ws::SessionHandlers{[&](std::span<const std::byte> piece, bool last) {
                                                   current.insert(current.end(), piece.begin(),
                                                                  piece.end());
                                                   if (!last) return;
                                                   got.push_back(current);
                                                   current.clear();
                                                   session->pause_reading();
                                                 },
                                                 nullptr, nullptr, nullptr});
  session->start({});
  wire2->deliver(wire);  // one read holding all 50 messages
  for (int i = 0; i < 200 && got.size() < sent.size(); ++i) {
    CHECK_FALSE(wire2->reading());
    session->resume_reading();
    loop->run_nowait();
  }
  CHECK(got == sent);
  session->resume_reading();  // nothing held any more: the stream reads again
  loop->run_nowait();
  CHECK(wire2->reading());
  session.reset();
  loop->run_nowait();
}

}  // namespace lb::test
