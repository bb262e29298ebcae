#include "tools/common/progress_line.hpp"

#include <cstdio>

#include "tools/common/size.hpp"
#include "tools/common/this_process.hpp"

namespace lb {

ProgressLine::ProgressLine(Loop& loop, std::function<std::uint64_t()> bytes_so_far,
                           std::string label, double bits_per_unit, std::string unit)
    : loop_(loop),
      bytes_so_far_(std::move(bytes_so_far)),
      label_(std::move(label)),
      bits_per_unit_(bits_per_unit),
      unit_(std::move(unit)),
      enabled_(stderr_is_terminal()) {
  if (enabled_) arm();
}

ProgressLine::~ProgressLine() {
  if (enabled_) std::fprintf(stderr, "\r\033[K");
}

void ProgressLine::arm() {
  timer_ = loop_.start_timer(std::chrono::milliseconds(250), [this] {
    const double s = std::chrono::duration<double>(Clock::now() - start_).count();
    const auto bytes = bytes_so_far_();
    std::fprintf(stderr, "\r\033[K%s  %s  %.2f %s", label_.c_str(), format_bytes(bytes).c_str(),
                 s > 0 ? static_cast<double>(bytes) * 8 / s / bits_per_unit_ : 0, unit_.c_str());
    arm();
  });
}

}  // namespace lb
