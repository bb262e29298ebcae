#pragma once
// What the stream conformance cases share: an echo server on a loop, the
// loopback endpoint of a port, and a reader that collects until EOF.
#include <map>

#include "engine/error.hpp"
#include "harness.hpp"

namespace lb::test {

// Echoes everything back on every accepted stream; one instance per test.
struct StreamEchoServer {
  explicit StreamEchoServer(Loop& loop)
      : listener(listen_local(loop, [this](Stream s) { accept(std::move(s)); })) {}

  void accept(Stream s) {
    const int id = next_id++;
    auto [it, inserted] = streams.emplace(id, std::move(s));
    it->second.read_start([this, id](std::error_code ec, std::span<const std::byte> data) {
      auto& stream = streams.at(id);
      if (ec) {
        stream.shutdown([this, id](std::error_code) { streams.erase(id); });
        return;
      }
      stream.write({copy_slice(data)}, [](std::error_code) {});
    });
  }

  Listener listener;
  std::map<int, Stream> streams;
  int next_id = 0;
};

inline Endpoint local(std::uint16_t port) {
  return Endpoint{"127.0.0.1", port};
}

// Everything `stream` reads goes to `received`; EOF sets `eof`, an error `failed`.
inline void read_until_eof(Stream& stream, Bytes& received, bool& eof, bool& failed) {
  stream.read_start([&](std::error_code ec, std::span<const std::byte> data) {
    if (ec) {
      eof = ec == errc::eof;
      failed |= !eof;
      return;
    }
    received.insert(received.end(), data.begin(), data.end());
  });
}

}  // namespace lb::test
