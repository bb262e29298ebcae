#include "protocols/ws/frame.hpp"

#include <algorithm>
#include <cstring>

namespace lb::ws {

bool valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
         (code >= 3000 && code <= 4999);
}

std::size_t write_frame_header(std::byte* out, std::uint8_t opcode, bool fin, std::uint64_t length,
                               const std::uint8_t* mask) {
  auto* o = reinterpret_cast<std::uint8_t*>(out);
  o[0] = static_cast<std::uint8_t>((fin ? 0x80 : 0) | (opcode & 0x0F));
  const std::uint8_t mask_bit = mask ? 0x80 : 0;
  std::size_t n = 2;
  if (length < 126) {
    o[1] = static_cast<std::uint8_t>(mask_bit | length);
  } else if (length <= 0xFFFF) {
    o[1] = mask_bit | 126;
    o[2] = static_cast<std::uint8_t>(length >> 8);
    o[3] = static_cast<std::uint8_t>(length);
    n = 4;
  } else {
    o[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i)
      o[2 + i] = static_cast<std::uint8_t>(length >> (56 - 8 * i));
    n = 10;
  }
  if (mask) {
    std::memcpy(o + n, mask, 4);
    n += 4;
  }
  return n;
}

std::size_t HeaderReader::feed(std::span<const std::byte> data) {
  std::size_t taken = 0;
  while (!done_ && taken < data.size()) {
    const std::size_t n = std::min(need_ - have_, data.size() - taken);
    std::memcpy(bytes_.data() + have_, data.data() + taken, n);
    have_ += n;
    taken += n;
    if (have_ < need_) break;
    if (have_ == 2) {
      // The first two bytes say how long the rest of the header is.
      const std::uint8_t len7 = bytes_[1] & 0x7F;
      need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((bytes_[1] & 0x80) ? 4 : 0);
      if (need_ > 2) continue;
    }
    FrameHeader& h = header_;
    h.fin = (bytes_[0] & 0x80) != 0;
    h.rsv = static_cast<std::uint8_t>((bytes_[0] >> 4) & 0x7);
    h.opcode = bytes_[0] & 0x0F;
    h.masked = (bytes_[1] & 0x80) != 0;
    const std::uint8_t len7 = bytes_[1] & 0x7F;
    std::size_t at = 2;
    if (len7 < 126) {
      h.length = len7;
    } else if (len7 == 126) {
      h.length = (std::uint64_t{bytes_[2]} << 8) | bytes_[3];
      at = 4;
    } else {
      h.length = 0;
      for (int i = 0; i < 8; ++i)
        h.length = (h.length << 8) | bytes_[2 + i];
      at = 10;
    }
    if (h.masked) std::memcpy(h.mask.data(), bytes_.data() + at, 4);
    done_ = true;
  }
  return taken;
}

}  // namespace lb::ws
