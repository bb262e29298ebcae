#include "tools/serve/random_bytes.hpp"

#include <cstring>
#include <random>

namespace lb {

SharedBytes random_bytes(std::size_t n, std::uint64_t seed) {
  auto bytes = std::make_shared<Bytes>(n);
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < n; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(bytes->data() + i, &v, std::min<std::size_t>(8, n - i));
  }
  return bytes;
}

}  // namespace lb
