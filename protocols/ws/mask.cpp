#include "protocols/ws/mask.hpp"

#include <cstring>

namespace lb::ws {
namespace {

// GCC and Clang lower this to one SSE2 or NEON register; loads and stores go
// through memcpy, so alignment never matters.
using Vec = std::uint64_t __attribute__((vector_size(16)));

}  // namespace

void mask_copy(std::byte* dst, const std::byte* src, std::size_t n, MaskKey& key) {
  // The key rotated to the current phase, repeated over 16 bytes: lane i
  // masks byte i of every 16-byte block, since 16 is a multiple of 4.
  std::uint8_t rotated[16];
  for (std::size_t i = 0; i < 16; ++i)
    rotated[i] = key.key[(key.phase + i) & 3];
  Vec k;
  std::memcpy(&k, rotated, sizeof k);
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    Vec a, b, c, d;
    std::memcpy(&a, src + i, 16);
    std::memcpy(&b, src + i + 16, 16);
    std::memcpy(&c, src + i + 32, 16);
    std::memcpy(&d, src + i + 48, 16);
    a ^= k;
    b ^= k;
    c ^= k;
    d ^= k;
    std::memcpy(dst + i, &a, 16);
    std::memcpy(dst + i + 16, &b, 16);
    std::memcpy(dst + i + 32, &c, 16);
    std::memcpy(dst + i + 48, &d, 16);
  }
  for (; i + 16 <= n; i += 16) {
    Vec a;
    std::memcpy(&a, src + i, 16);
    a ^= k;
    std::memcpy(dst + i, &a, 16);
  }
  for (; i < n; ++i)
    dst[i] = src[i] ^ std::byte{rotated[i & 15]};
  key.phase = (key.phase + n) & 3;
}

}  // namespace lb::ws
