#pragma once
// A live "label  bytes  rate" line on stderr, redrawn every 250 ms by an
// engine timer while a transfer runs, and only when stderr is a terminal
// (so logs and pipes stay clean). Erased when it goes out of scope.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

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

// The same line for work that runs on no loop of ours (libcurl's blocking
// clients): a thread redraws "label  count/total  rate unit" every 250 ms
// from an atomic counter, only on a terminal; erased when it goes.
class CountProgressLine {
 public:
  // `total` 0: no total (a run for a time).
  CountProgressLine(const std::atomic<std::uint64_t>& count, std::uint64_t total, std::string label,
                    std::string unit);
  ~CountProgressLine();
  CountProgressLine(const CountProgressLine&) = delete;
  CountProgressLine& operator=(const CountProgressLine&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lb
