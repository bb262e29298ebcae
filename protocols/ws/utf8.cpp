#include "protocols/ws/utf8.hpp"

namespace lb::ws {

bool Utf8Validator::feed(std::span<const std::byte> bytes) {
  for (std::byte raw : bytes) {
    const auto b = std::to_integer<std::uint8_t>(raw);
    if (need_ > 0) {
      if (b < low_ || b > high_) return false;
      low_ = 0x80;
      high_ = 0xBF;
      --need_;
      continue;
    }
    if (b < 0x80) continue;
    if (b >= 0xC2 && b <= 0xDF) {
      need_ = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need_ = 2;
      if (b == 0xE0) low_ = 0xA0;   // overlong
      if (b == 0xED) high_ = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      need_ = 3;
      if (b == 0xF0) low_ = 0x90;   // overlong
      if (b == 0xF4) high_ = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace lb::ws
