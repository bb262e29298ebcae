#pragma once
// Shared by the conformance cases: the backend under test (chosen with
// --loop=NAME on the command line, one CTest entry per backend) and a way to
// run a loop until something happens, with a deadline so nothing can hang.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "backends/registry.hpp"
#include "engine/loop.hpp"

namespace lb::test {

const std::string& backend_under_test();

inline std::unique_ptr<Loop> make_test_loop() {
  return make_loop(backend_under_test());
}

// Runs `loop` until `done()` holds; false if `limit` passed first.
inline bool run_until(Loop& loop, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  bool expired = false;
  Timer deadline = loop.start_timer(limit, [&] { expired = true; });
  while (!done() && !expired)
    loop.run_once();
  return done();
}

// Runs a few turns so that closes and deferred work settle.
inline void settle(Loop& loop, int turns = 5) {
  for (int i = 0; i < turns; ++i) {
    Timer t = loop.start_timer(std::chrono::milliseconds(1), [] {});
    loop.run_once();
  }
}

// Every handle closed and released by the backend, within a few turns or,
// when many closes are in flight (a backend handles a bounded batch of
// completions per turn), within two seconds.
inline void check_no_live_handles(Loop& loop) {
  settle(loop);
  run_until(
      loop, [&] { return loop.backend().live_handles() == 0; }, std::chrono::seconds(2));
  CHECK(loop.backend().live_handles() == 0);
}

// A listener on 127.0.0.1, any free port.
inline Listener listen_local(Loop& loop, AcceptCallback cb) {
  std::error_code ec;
  Listener l = loop.listen(Endpoint{"127.0.0.1", 0}, ListenOptions{}, std::move(cb), ec);
  REQUIRE_MESSAGE(!ec, ec.message());
  return l;
}

// Deterministic pseudo-random bytes (xorshift), so a failure is repeatable.
inline SharedBytes pattern_bytes(std::size_t n, std::uint64_t seed) {
  auto bytes = std::make_shared<Bytes>(n);
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& b : *bytes) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::byte>(x);
  }
  return bytes;
}

}  // namespace lb::test
