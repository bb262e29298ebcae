#pragma once
// A live "label  bytes  rate" line on stderr, redrawn every 250 ms by an
// engine timer while a transfer runs, and only when stderr is a terminal
// (so logs and pipes stay clean). Erased when it goes out of scope.
#include <cstdint>
#include <functional>
#include <string>

#include "engine/loop.hpp"

namespace lb {

class ProgressLine {
 public:
  // `bits_per_unit` and `unit` name the rate: 1e9 "Gbit/s", 8 * 2^20 "MiB/s".
  ProgressLine(Loop& loop, std::function<std::uint64_t()> bytes_so_far, std::string label,
               double bits_per_unit, std::string unit);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void arm();

  Loop& loop_;
  std::function<std::uint64_t()> bytes_so_far_;
  std::string label_;
  double bits_per_unit_;
  std::string unit_;
  bool enabled_;
  Clock::time_point start_ = Clock::now();
  Timer timer_;
};

}  // namespace lb
