#pragma once
// Error codes of the engine. System errors travel as std::system_category
// codes built from errno (or -cqe->res); conditions the engine itself defines
// live in engine_category. End of stream is engine::errc::eof, never an
// errno, so callers can tell a clean EOF from a reset.
#include <string>
#include <system_error>

namespace lb {

enum class errc {
  eof = 1,      // the peer closed its sending side
  unsupported,  // the backend or kernel cannot do this
  bad_address,  // the endpoint could not be parsed or resolved
  shut_down,    // write after shutdown()
};

const std::error_category& engine_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// errno value -> std::error_code in the system category.
inline std::error_code system_error_code(int err) noexcept {
  return {err, std::system_category()};
}

}  // namespace lb

template <>
struct std::is_error_code_enum<lb::errc> : std::true_type {};
