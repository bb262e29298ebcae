#include <algorithm>

#include "targets.hpp"

namespace lb::fuzz {

std::size_t piece_size(std::uint8_t selector, std::size_t remaining) {
  static constexpr std::size_t kSizes[] = {1, 2, 3, 7, 16, 64, 1000, SIZE_MAX};
  return std::min(kSizes[selector % 8], remaining);
}

}  // namespace lb::fuzz
