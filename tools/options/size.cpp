#include "tools/options/size.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace lb {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::uint64_t> multiplier_of(std::string_view unit) {
  struct Unit {
    const char* name;
    std::uint64_t factor;
  };
  static constexpr std::array<Unit, 17> units{{
      {"", 1},
      {"b", 1},
      {"k", 1ull << 10},
      {"kib", 1ull << 10},
      {"kb", 1000ull},
      {"m", 1ull << 20},
      {"mib", 1ull << 20},
      {"mb", 1000ull * 1000},
      {"g", 1ull << 30},
      {"gib", 1ull << 30},
      {"gb", 1000ull * 1000 * 1000},
      {"t", 1ull << 40},
      {"tib", 1ull << 40},
      {"tb", 1000ull * 1000 * 1000 * 1000},
      {"ki", 1ull << 10},
      {"mi", 1ull << 20},
      {"gi", 1ull << 30},
  }};
  const std::string u = lower(unit);
  for (const auto& entry : units)
    if (u == entry.name) return entry.factor;
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr == text.data()) return std::nullopt;
  const auto factor = multiplier_of(std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
  if (!factor) return std::nullopt;
  if (value > UINT64_MAX / *factor) return std::nullopt;
  return value * *factor;
}

std::string size_error(std::string_view option, std::string_view text) {
  return std::string(option) + ": malformed size '" + std::string(text) +
         "' (expected a whole number with an optional unit: B, KiB, MiB, GiB, TiB, K, M, G, "
         "T, KB, MB, GB, TB)";
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0 || value == static_cast<double>(static_cast<std::uint64_t>(value)))
    std::snprintf(buf, sizeof buf, "%.0f %s", value, kUnits[unit]);
  else
    std::snprintf(buf, sizeof buf, "%.3g %s", value, kUnits[unit]);
  return buf;
}

}  // namespace lb
