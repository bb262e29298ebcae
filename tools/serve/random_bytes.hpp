#pragma once
#include <cstdint>

#include "engine/buffer.hpp"

namespace lb {

// `n` pseudo-random bytes (not for cryptography): benchmark payloads that no
// link-level compression could shrink.
SharedBytes random_bytes(std::size_t n, std::uint64_t seed = 0x6c6f6f7062656e63);

}  // namespace lb
