#include "tools/measure/calibration_probe.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace lb {
namespace {
std::atomic<std::uint64_t> kept_result;
}

double calibration_probe_us() {
  // A chain of dependent multiplies and shifts: its time is the core's
  // speed alone, not the caches' or memory's, and the compiler cannot fold
  // it since the result is kept.
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 400'000; ++i) {
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ull;
  }
  const auto took = std::chrono::steady_clock::now() - start;
  kept_result.store(x, std::memory_order_relaxed);
  return std::chrono::duration<double, std::micro>(took).count();
}

}  // namespace lb
