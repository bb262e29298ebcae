#pragma once
// RFC 6455 §5.3 masking: payload bytes XORed with a 4-byte key, the key's
// position carried across pieces. Done in 16-byte vectors (SSE2 on x86-64,
// NEON on ARM, plain words elsewhere), bytes only for the tail: never a
// byte loop over the payload.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace lb::ws {

struct MaskKey {
  std::array<std::uint8_t, 4> key{};
  std::size_t phase = 0;  // key byte of the next payload byte (0..3)
};

// dst[i] = src[i] ^ key[(phase + i) % 4] for n bytes; dst may be src (in
// place) but may not overlap it otherwise. Advances the phase.
void mask_copy(std::byte* dst, const std::byte* src, std::size_t n, MaskKey& key);

inline void unmask_in_place(std::span<std::byte> data, MaskKey& key) {
  mask_copy(data.data(), data.data(), data.size(), key);
}

}  // namespace lb::ws
