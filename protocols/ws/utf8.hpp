#pragma once
// Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates, at
// most U+10FFFF) for text messages that arrive in pieces.
#include <cstddef>
#include <cstdint>
#include <span>

namespace lb::ws {

class Utf8Validator {
 public:
  // False as soon as the bytes so far cannot be valid UTF-8.
  bool feed(std::span<const std::byte> bytes);
  // True when the input ended on a character boundary.
  bool complete() const { return need_ == 0; }
  void reset() { need_ = 0; }

 private:
  int need_ = 0;             // continuation bytes still expected
  std::uint8_t low_ = 0x80;  // allowed range of the next continuation byte
  std::uint8_t high_ = 0xBF;
};

}  // namespace lb::ws
