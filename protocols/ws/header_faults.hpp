#pragma once
// Follows frame boundaries in received bytes, one byte at a time where it
// matters, and stops at the first header fault that wslay 1.1.1 answers by
// dropping the connection without a Close frame: a control frame that is
// fragmented or longer than 125 bytes (seen at the header's second byte,
// as wslay sees it) and a 64-bit length with the top bit set (at its last
// length byte). The wslay session hands wslay only the bytes before that
// one and refuses the frame itself with 1002.
#include <cstddef>
#include <cstdint>
#include <span>

namespace lb::ws {

class HeaderFaults {
 public:
  // How many leading bytes of `data` are clear; fewer than data.size()
  // once a fault is found (its last header byte is the first one not clear).
  std::size_t clear_prefix(std::span<const std::byte> data);
  bool found() const { return found_; }

 private:
  std::uint64_t payload_left_ = 0;
  std::size_t header_seen_ = 0;   // bytes of the current header
  std::size_t header_size_ = 2;   // known once its second byte is in
  std::size_t length_bytes_ = 0;  // 0, 2 or 8 after the second byte
  std::uint8_t first_ = 0;
  std::uint64_t length_ = 0;
  bool found_ = false;
};

}  // namespace lb::ws
