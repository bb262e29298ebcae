#pragma once
// Byte sizes as users type them ("4GiB", "512MiB", "64K") and as we print
// them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lb {

// Plain numbers are bytes. KiB/MiB/GiB/TiB and K/M/G/T are powers of 1024
// (as in iperf3); KB/MB/GB/TB powers of 1000. Case-insensitive units, an
// optional 'B' alone, no fractions. nullopt for anything else or overflow.
std::optional<std::uint64_t> parse_size(std::string_view text);

// The message a user sees for a size that does not parse.
std::string size_error(std::string_view option, std::string_view text);

// The largest message (--chunk) a throughput run sends; servers refuse more.
inline constexpr std::uint32_t kMaxChunkBytes = 16u << 20;

// 4294967296 -> "4 GiB"; 1536 -> "1.5 KiB"; 100 -> "100 B".
std::string format_bytes(std::uint64_t bytes);

}  // namespace lb
