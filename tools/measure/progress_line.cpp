#include "tools/measure/progress_line.hpp"

#include <cstdio>

#include "tools/options/size.hpp"
#include "tools/process/this_process.hpp"

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

CountProgressLine::CountProgressLine(const std::atomic<std::uint64_t>& count, std::uint64_t total,
                                     std::string label, std::string unit) {
  if (!stderr_is_terminal()) return;
  thread_ = std::thread([this, &count, total, label = std::move(label), unit = std::move(unit)] {
    const auto start = Clock::now();
    std::unique_lock lock(mutex_);
    while (!done_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; })) {
      const double s = std::chrono::duration<double>(Clock::now() - start).count();
      const auto n = count.load(std::memory_order_relaxed);
      const std::string of = total ? "/" + std::to_string(total) : "";
      std::fprintf(stderr, "\r\033[K%s  %llu%s  %.0f %s", label.c_str(),
                   static_cast<unsigned long long>(n), of.c_str(),
                   s > 0 ? static_cast<double>(n) / s : 0, unit.c_str());
    }
  });
}

CountProgressLine::~CountProgressLine() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  done_.notify_one();
  thread_.join();
  std::fprintf(stderr, "\r\033[K");
}

}  // namespace lb
