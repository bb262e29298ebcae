// The WebSocket codecs on faulty and random input without sockets: header
// faults found at the byte that decides, Closes held until released, and a
// differential test of the native codec against wslay on seeded random
// streams of valid and invalid frames.
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

TEST_CASE("header faults: found at the byte that decides, after any valid frames, at any split") {
  const Bytes big(70000, std::byte{7});  // a 64-bit length that is valid
  Bytes valid = client_frame(0x82, big);
  const Bytes small = client_frame(0x89, Bytes(125));
  valid.insert(valid.end(), small.begin(), small.end());
  Bytes fragment_then_new = client_frame(0x02, Bytes(2));
  const std::size_t fragment_size = fragment_then_new.size();
  const Bytes second = client_frame(0x82, Bytes(2));
  fragment_then_new.insert(fragment_then_new.end(), second.begin(), second.end());
  struct Case {
    const char* name;
    Bytes fault;
    std::size_t decided_at;  // index in the faulty header of the deciding byte
  };
  const std::vector<Case> cases = {
      {"ping over 125 bytes", client_frame(0x89, Bytes(126)), 1},
      {"fragmented ping", client_frame(0x09, Bytes(1)), 1},
      {"fragmented close", client_frame(0x08, Bytes(0)), 1},
      {"64-bit length with top bit", client_frame(0x82, {}, true, 1ull << 63), 9},
      {"RSV1 set", client_frame(0xC2, Bytes(3)), 0},
      {"reserved data opcode 0x3", client_frame(0x83, Bytes(3)), 0},
      {"reserved control opcode 0xB", client_frame(0x8B, Bytes(0)), 0},
      {"continuation without a message", client_frame(0x80, Bytes(3)), 0},
      {"new message inside a fragmented one", fragment_then_new, fragment_size},
      {"none", {}, 0},
  };
  for (const auto& c : cases) {
    Bytes input = valid;
    input.insert(input.end(), c.fault.begin(), c.fault.end());
    const std::size_t expected = c.fault.empty() ? input.size() : valid.size() + c.decided_at;
    for (std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{4096}, input.size()}) {
      INFO(c.name << ", pieces of " << step);
      ws::HeaderFaults faults;
      std::size_t clear = 0;
      for (std::size_t at = 0; at < input.size() && !faults.found(); at += step) {
        const auto piece = std::span(input).subspan(at, std::min(step, input.size() - at));
        clear += faults.clear_prefix(piece);
      }
      CHECK(clear == expected);
      CHECK(faults.found() == !c.fault.empty());
    }
  }
}

TEST_CASE("header faults: with hold_closes, a Close waits before its first byte until released") {
  Bytes input = client_frame(0x81, Bytes(5, std::byte{'a'}));
  const std::size_t before_close = input.size();
  const Bytes close = client_frame(0x88, Bytes{std::byte{0x03}, std::byte{0xE8}});
  input.insert(input.end(), close.begin(), close.end());
  for (std::size_t step : {std::size_t{1}, std::size_t{3}, input.size()}) {
    INFO("pieces of " << step);
    ws::HeaderFaults faults;
    faults.hold_closes();
    std::size_t clear = 0;
    for (std::size_t at = 0; at < input.size();) {
      const auto piece = std::span(input).subspan(at, std::min(step, input.size() - at));
      const std::size_t n = faults.clear_prefix(piece);
      clear += n;
      at += n;
      if (n < piece.size()) {
        REQUIRE(faults.close_ahead());
        CHECK(clear == before_close);
        CHECK(faults.clear_prefix(piece.subspan(n)) == 0);  // still held
        faults.release_close();
      }
    }
    CHECK(clear == input.size());
    CHECK_FALSE(faults.found());
  }
}

// A build without wslay (Windows, BUILD.md) has nothing to compare.
TEST_CASE("differential: both codecs agree on seeded random frame streams" *
          doctest::skip(ws::built_codecs().size() < 2)) {
  // Each stream: some valid frames, then maybe one that ends the connection
  // (a close or a violation). Both codecs, as servers, read it split at
  // random points; the messages out and the close code must agree, except
  // where the table below says why they differ. It is empty: the three
  // header faults wslay 1.1.1 drops TCP for (a ping over 125 bytes, a
  // fragmented ping, a 64-bit length with the top bit set) are refused
  // with 1002 by the wslay session before wslay sees them.
  const std::map<std::string, std::string> known = {};
  std::mt19937_64 rng(20261201);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> texts = {"", "plain", "héllo wörld", "日本語", "🙂 ok"};
  std::map<std::string, int> streams_by_end, differences;
  const int kStreams = 3000;
  for (int s = 0; s < kStreams; ++s) {
    Bytes input;
    auto add = [&](const Bytes& f) { input.insert(input.end(), f.begin(), f.end()); };
    const std::size_t valid = pick(6);
    for (std::size_t i = 0; i < valid; ++i) {
      switch (pick(5)) {
        case 0:
          add(client_frame(0x82, Bytes(pick(400), std::byte(pick(256)))));
          break;
        case 1:
          add(client_frame(0x81, bytes_of(texts[pick(texts.size())])));
          break;
        case 2: {  // fragmented, with a ping in between
          const std::string t = texts[pick(texts.size())] + texts[pick(texts.size())];
          const std::size_t cut = t.empty() ? 0 : pick(t.size());
          add(client_frame(0x01, bytes_of(t.substr(0, cut))));
          if (pick(2)) add(client_frame(0x89, bytes_of("p")));
          add(client_frame(0x80, bytes_of(t.substr(cut))));
          break;
        }
        case 3:
          add(client_frame(0x89, Bytes(pick(126), std::byte{1})));
          break;
        default:
          add(client_frame(0x8A, Bytes(pick(10), std::byte{2})));
      }
    }
    static const std::vector<std::pair<std::string, Bytes>> endings = {
        {"none", {}},
        {"close 1000", client_frame(0x88, close_body(1000, "done"))},
        {"close 3000", client_frame(0x88, close_body(3000))},
        {"close empty", client_frame(0x88, {})},
        {"close code 1005", client_frame(0x88, close_body(1005))},
        {"close code 1016", client_frame(0x88, close_body(1016))},
        {"close reason not UTF-8", client_frame(0x88, close_body(1000, "\xc0\xaf"))},
        {"close with 1-byte payload", client_frame(0x88, Bytes{std::byte{1}})},
        {"RSV2 set", client_frame(0xA2, bytes_of("x"))},
        {"reserved opcode 0x7", client_frame(0x87, bytes_of("x"))},
        {"reserved control opcode 0xF", client_frame(0x8F, {})},
        {"unmasked client frame", client_frame(0x82, bytes_of("x"), false)},
        {"continuation without start", client_frame(0x80, bytes_of("x"))},
        {"new message inside a fragmented one",
         [] {
           Bytes b = client_frame(0x02, bytes_of("a")), c = client_frame(0x82, bytes_of("b"));
           b.insert(b.end(), c.begin(), c.end());
           return b;
         }()},
        {"text not UTF-8", client_frame(0x81, bytes_of("ok\xed\xa0\x80"))},
        {"message over max-msg", client_frame(0x82, Bytes(5000))},
        {"ping over 125 bytes", client_frame(0x89, Bytes(126))},
        {"fragmented ping", client_frame(0x09, bytes_of("x"))},
        {"64-bit length with top bit", client_frame(0x82, {}, true, 1ull << 63)},
    };
    const auto& [end_name, end_bytes] = endings[pick(endings.size())];
    add(end_bytes);
    ++streams_by_end[end_name];
    // The same random cut points for both codecs.
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0; at < input.size();) {
      at += 1 + pick(std::min<std::size_t>(input.size() - at, 64));
      cuts.push_back(std::min(at, input.size()));
    }
    struct Outcome {
      std::vector<Bytes> messages;
      int close_sent = 0;
      int code = 0;
    };
    std::map<ws::Codec, Outcome> out;
    for (const auto codec : ws::built_codecs()) {
      WireSession server(codec, ws::Role::server, 4096);
      std::size_t from = 0;
      for (std::size_t to : cuts) {
        server.feed(std::span(input).subspan(from, to - from));
        from = to;
      }
      server.end_input();
      out[codec] = {server.messages, close_code_written(server.wire->written), server.code};
    }
    const auto& n = out[ws::Codec::native];
    const auto& w = out[ws::Codec::wslay];
    const bool same = n.messages == w.messages && n.close_sent == w.close_sent && n.code == w.code;
    if (same) continue;
    ++differences[end_name];
    INFO("stream " << s << " ending '" << end_name << "': native sent close " << n.close_sent
                   << " code " << n.code << ", wslay sent close " << w.close_sent << " code "
                   << w.code << "; messages " << n.messages.size() << " vs " << w.messages.size());
    CHECK_MESSAGE(known.count(end_name), "an unexplained difference between the codecs");
    CHECK(n.messages == w.messages);
    CHECK(n.close_sent == 1002);
  }
  std::string table = "differences by how the stream ended (of streams):\n";
  for (const auto& [end, count] : streams_by_end)
    table += "  " + end + ": " + std::to_string(differences[end]) + " of " + std::to_string(count) +
             (known.count(end) ? "  (" + known.at(end) + ")" : "") + "\n";
  MESSAGE(table);
  CHECK(streams_by_end.size() > 15);
}

}  // namespace lb::test
