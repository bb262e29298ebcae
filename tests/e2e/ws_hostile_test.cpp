// What a hostile or broken client sends (RFC 6455 sections 5 to 8), each
// case delivered one byte at a time to our server; the verdict (close code
// sent, pong, or connection dropped) is compared with the committed table
// tests/e2e/ws_hostile_expected.txt.
#include <doctest/doctest.h>
#include <netinet/tcp.h>

#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include "command.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "ws_frames.hpp"

namespace lb::test {
namespace {

std::string frame(unsigned char b0, const std::string& payload, bool masked = true,
                  std::uint64_t length = UINT64_MAX) {
  return ws_frame(b0, payload, masked, length);
}

std::string code(int c) {
  return ws_close_code(c);
}

std::map<std::string, std::string> hostile_cases() {
  return {
      {"unmasked client frame", frame(0x82, "hello", false)},
      {"RSV1 set without extension", frame(0xC2, "hello")},
      {"RSV3 set", frame(0x92, "hello")},
      {"reserved data opcode 0x3", frame(0x83, "hello")},
      {"reserved control opcode 0xB", frame(0x8B, "")},
      {"64-bit length with top bit", frame(0x82, "", true, 0x8000000000000000ull)},
      {"continuation without start", frame(0x80, "x")},
      {"new message inside a fragmented one", frame(0x02, "a") + frame(0x82, "b")},
      {"ping over 125 bytes", frame(0x89, std::string(126, 'p'))},
      {"fragmented ping", frame(0x09, "p")},
      {"close with 1-byte payload", frame(0x88, "x")},
      {"close code 999", frame(0x88, code(999))},
      {"close code 1005", frame(0x88, code(1005))},
      {"close code 1016", frame(0x88, code(1016))},
      {"close reason not UTF-8", frame(0x88, code(1000) + "\xC0\xAF")},
      {"text not UTF-8", frame(0x81, "\xC0\xAF")},
      {"text UTF-8 split across fragments, bad", frame(0x01, "\xE2\x82") + frame(0x80, "\x28")},
      {"text surrogate", frame(0x81, "\xED\xA0\x80")},
      {"message over max-msg", frame(0x82, std::string(2000, 'm'))},
      {"fragments over max-msg",
       frame(0x02, std::string(600, 'm')) + frame(0x80, std::string(600, 'm'))},
      {"ping is answered", frame(0x89, "hi")},
      {"clean close", frame(0x88, code(1000))},
      {"text UTF-8 split across fragments, good",
       frame(0x01, "\xE2\x82") + frame(0x80, "\xAC") + frame(0x88, code(1000))},
  };
}

// Reads the server's frames after the 101 and names what it did.
std::string verdict_of(const std::string& wire) {
  bool handshake = false;
  std::string seen;
  for (const auto& f : ws_server_frames(wire, &handshake)) {
    if (f.opcode == 0xA) seen = "pong";
    if (f.opcode == 0x8)
      return (seen.empty() ? "" : seen + ", ") + "close " + std::to_string(f.close_code());
  }
  if (!handshake) return "no handshake";
  return seen.empty() ? "dropped" : seen + ", dropped";
}

}  // namespace

TEST_CASE("hostile frames, one byte at a time: verdicts match the committed table") {
  // case -> verdict, per codec column of the table
  std::map<std::string, std::map<std::string, std::string>> expected;
  const std::vector<std::string> codecs = {"native", "wslay"};
  {
    std::ifstream table(std::string(LOOPBENCH_SOURCE_DIR) + "/tests/e2e/ws_hostile_expected.txt");
    std::string line;
    while (std::getline(table, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> cells;
      for (std::size_t from = 0;;) {
        const auto bar = line.find(" | ", from);
        cells.push_back(line.substr(from, bar == std::string::npos ? bar : bar - from));
        if (bar == std::string::npos) break;
        from = bar + 3;
      }
      REQUIRE_MESSAGE(cells.size() == codecs.size() + 1, line);
      for (std::size_t i = 0; i < codecs.size(); ++i)
        expected[codecs[i]][cells[0]] = cells[i + 1];
    }
  }
  for (const auto& codec : codecs) {
    SUBCASE(codec.c_str()) {
      BenchServer server("serve ws --port 0 --max-msg 1024 --codec " + codec);
      std::map<std::string, std::string> got;
      for (const auto& [name, bytes] : hostile_cases()) {
        RawClient client(server.port(), 2000);
        REQUIRE(client.connected());
        client.set_nodelay();
        client.send(
            "GET /ws?test=upload&total=1000000000 HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n");
        for (char c : bytes) {
          if (!client.send(std::string(1, c))) break;
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        got[name] = verdict_of(client.receive_all());
        INFO(codec << ": " << name);
        CHECK(got[name] == expected[codec][name]);
      }
      CHECK(got.size() == expected[codec].size());
      // The server survived all of it, and serves both codecs' clients.
      const auto r = run_bench("ws --url=ws://127.0.0.1:" + std::to_string(server.port()) +
                               "/ws --loop=all --codec=all --total=1MiB --chunk=1KiB --repeat=1 "
                               "--warmup=0");
      INFO(r.out << r.err);
      CHECK(r.exit_code == 0);
      const auto report = server.stop();
      INFO(report);
      CHECK(report.find("sessions served") != std::string::npos);  // exited cleanly, no crash
    }
  }
}

}  // namespace lb::test
