#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lb {

// A TCP endpoint as the user wrote it: host name or literal address, port.
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;

  // "HOST:PORT", "[V6]:PORT" or ":PORT"/"PORT" (host defaults to 127.0.0.1).
  static std::optional<Endpoint> parse(std::string_view text);
  std::string to_string() const;
};

}  // namespace lb
