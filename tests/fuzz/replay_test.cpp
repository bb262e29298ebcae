// Every committed fuzz input (the seed corpora, and each crash a fuzzer
// found, once fixed) run through its target in the ordinary builds, so the
// ASan+UBSan build checks them too.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "targets.hpp"

namespace lb::fuzz {
namespace {

using Target = int (*)(const std::uint8_t*, std::size_t);

// Runs every file under tests/fuzz/{corpus,regressions}/NAME; returns how many.
int replay(const std::string& name, Target target) {
  int count = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    const std::filesystem::path dir = std::filesystem::path(LOOPBENCH_FUZZ_DIR) / kind / name;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
      INFO(entry.path().string());
      CHECK(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
      ++count;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("fuzz inputs replay cleanly: HTTP request reader") {
  CHECK(replay("http_request", http_request) > 0);
}
TEST_CASE("fuzz inputs replay cleanly: WebSocket handshake") {
  CHECK(replay("ws_handshake", ws_handshake) > 0);
}
TEST_CASE("fuzz inputs replay cleanly: WebSocket frames, both codecs and roles") {
  CHECK(replay("ws_frames", ws_frames) > 0);
}
TEST_CASE("fuzz inputs replay cleanly: TLS stream") {
  CHECK(replay("tls_stream", tls_stream) > 0);
}

}  // namespace lb::fuzz
