#pragma once
// Loops on several threads meeting at one point: each arrives with what its
// loop runs once every party has arrived, posted to that loop. The next
// `parties` arrivals form the next round.
#include <cstddef>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "engine/loop.hpp"

namespace lb {

class LoopBarrier {
 public:
  explicit LoopBarrier(std::size_t parties) : parties_(parties) {}
  // Thread-safe. `then` runs on `loop`'s thread on a later turn.
  void arrive(Loop& loop, std::function<void()> then);

 private:
  std::mutex mutex_;
  std::size_t parties_;
  std::vector<std::pair<Loop*, std::function<void()>>> waiting_;
};

}  // namespace lb
