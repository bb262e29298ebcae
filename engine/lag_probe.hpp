#pragma once
// Loop-lag health check: a periodic timer records how late each tick fires.
// A loop starved by a long callback shows up here as lag, whatever backend.
#include <chrono>

#include "engine/loop.hpp"
#include "engine/statistics/histogram.hpp"

namespace lb {

class LagProbe {
 public:
  explicit LagProbe(Loop& loop, std::chrono::milliseconds period = std::chrono::milliseconds(50));
  void start();
  void stop() { timer_.cancel(); }
  // Lateness of each tick, in nanoseconds.
  const Histogram& lag_ns() const { return lag_; }

 private:
  void arm();

  Loop& loop_;
  std::chrono::milliseconds period_;
  Clock::time_point due_{};
  Timer timer_;
  Histogram lag_;
};

}  // namespace lb
