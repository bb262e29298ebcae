#pragma once
// Wire format of `bench tcp`, our own and minimal (iperf3 has its own control
// channel; ours rides the data connection):
//
//   client -> server  header (24 bytes, little-endian):
//                       "LBT1" | u32 chunk | u64 download | u64 upload
//                     then `upload` payload bytes, then FIN.
//   server -> client  `download` payload bytes (a random chunk of `chunk`
//                     bytes, repeated); after the client's FIN has arrived,
//                     a u64 count of the payload bytes it received; then FIN.
//
// The trailer lets the client check that every uploaded byte arrived before
// it stops the clock, so upload figures are end to end, not "queued".
//
// For a time instead of a size (`bench tcp -d`, iperf3's -t): the client
// uploads until its deadline, then FIN (`upload` in the header is then
// kUntilFin, which the server does not read); a `download` of kUntilFin asks
// the server to stream until the client's FIN has arrived, and to end with
// a 16-byte trailer instead: u64 download payload bytes it sent, then u64
// upload payload bytes it received. The client, which cannot know where the
// payload ends, takes the stream's last 16 bytes as that trailer.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "tools/options/size.hpp"

namespace lb::tcp_bench {

inline constexpr std::size_t kHeaderBytes = 24;
inline constexpr std::size_t kTrailerBytes = 8;
inline constexpr std::size_t kTimedTrailerBytes = 16;
inline constexpr std::uint64_t kUntilFin = ~std::uint64_t{0};

struct Header {
  std::uint32_t chunk = 0;
  std::uint64_t download = 0;
  std::uint64_t upload = 0;
};

inline void put_le(std::byte* out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i)
    out[i] = static_cast<std::byte>(v >> (8 * i));
}
inline std::uint64_t get_le(const std::byte* in, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v |= std::uint64_t{std::to_integer<std::uint8_t>(in[i])} << (8 * i);
  return v;
}

inline std::array<std::byte, kHeaderBytes> encode(const Header& h) {
  std::array<std::byte, kHeaderBytes> out{};
  std::memcpy(out.data(), "LBT1", 4);
  put_le(out.data() + 4, h.chunk, 4);
  put_le(out.data() + 8, h.download, 8);
  put_le(out.data() + 16, h.upload, 8);
  return out;
}

// nullopt for a wrong magic or a chunk size out of range.
inline std::optional<Header> decode(std::span<const std::byte, kHeaderBytes> in) {
  if (std::memcmp(in.data(), "LBT1", 4) != 0) return std::nullopt;
  Header h;
  h.chunk = static_cast<std::uint32_t>(get_le(in.data() + 4, 4));
  h.download = get_le(in.data() + 8, 8);
  h.upload = get_le(in.data() + 16, 8);
  if (h.chunk == 0 || h.chunk > kMaxChunkBytes) return std::nullopt;
  return h;
}

}  // namespace lb::tcp_bench
