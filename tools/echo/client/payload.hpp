#pragma once
// What bench echo sends: messages of one size cut from a random pattern at
// an offset that moves with each message's sequence number, so an echo
// that comes back with a wrong byte, from another message or out of order
// fails the byte-for-byte check. Every message is a Slice of one shared
// buffer: sending copies nothing.
#include <cstdint>
#include <span>

#include "engine/buffer.hpp"

namespace lb {

class EchoPayload {
 public:
  explicit EchoPayload(std::size_t size);
  std::size_t size() const { return size_; }
  Slice message(std::uint64_t seq) const { return slice_of(pattern_, offset(seq), size_); }
  std::span<const std::byte> expected(std::uint64_t seq) const {
    return {pattern_->data() + offset(seq), size_};
  }

 private:
  static constexpr std::size_t kOffsets = 251;  // prime: offsets cycle slowly
  static std::size_t offset(std::uint64_t seq) { return static_cast<std::size_t>(seq % kOffsets); }

  std::size_t size_;
  SharedBytes pattern_;
};

}  // namespace lb
