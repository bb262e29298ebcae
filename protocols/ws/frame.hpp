#pragma once
// RFC 6455 §5.2 frame headers: writing one, and reading one that arrives
// split at any byte.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace lb::ws {

enum Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

constexpr std::size_t kMaxFrameHeader = 14;  // 2 + 8 length bytes + 4 mask bytes
constexpr std::size_t kMaxControlPayload = 125;

inline bool is_control(std::uint8_t opcode) {
  return (opcode & 0x8) != 0;
}
// A code a Close frame may carry (§7.4): 1000-1003, 1007-1011, 3000-4999.
bool valid_close_code(std::uint16_t code);

// Writes the header of a frame with `length` payload bytes into `out`
// (kMaxFrameHeader bytes of room), masked with `mask` when it is not null;
// returns the header's length. Lengths use the shortest form.
std::size_t write_frame_header(std::byte* out, std::uint8_t opcode, bool fin, std::uint64_t length,
                               const std::uint8_t* mask);

struct FrameHeader {
  bool fin = false;
  std::uint8_t rsv = 0;  // the three RSV bits, as 0..7
  std::uint8_t opcode = 0;
  bool masked = false;
  std::uint64_t length = 0;  // as sent: the session refuses the top bit set
  std::array<std::uint8_t, 4> mask{};
};

// Collects one header from bytes that may arrive one at a time.
class HeaderReader {
 public:
  // Takes what it needs of `data`; returns how many bytes it took.
  std::size_t feed(std::span<const std::byte> data);
  bool done() const { return done_; }
  const FrameHeader& header() const { return header_; }  // once done()
  void reset() {
    have_ = 0;
    need_ = 2;
    done_ = false;
  }

 private:
  std::array<std::uint8_t, kMaxFrameHeader> bytes_{};
  std::size_t have_ = 0;
  std::size_t need_ = 2;  // 2 until the first two bytes say the rest
  bool done_ = false;
  FrameHeader header_;
};

}  // namespace lb::ws
