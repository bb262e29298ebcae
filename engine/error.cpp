#include "engine/error.hpp"

namespace lb {
namespace {

class EngineCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "loopbench.engine"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::eof:
        return "end of stream";
      case errc::unsupported:
        return "operation not supported by this backend";
      case errc::bad_address:
        return "bad address";
      case errc::shut_down:
        return "stream was shut down for writing";
    }
    return "unknown engine error";
  }
};

}  // namespace

const std::error_category& engine_category() noexcept {
  static const EngineCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), engine_category()};
}

}  // namespace lb
