#include "engine/loop_barrier.hpp"

namespace lb {

void LoopBarrier::arrive(Loop& loop, std::function<void()> then) {
  std::vector<std::pair<Loop*, std::function<void()>>> round;
  {
    std::lock_guard lock(mutex_);
    waiting_.emplace_back(&loop, std::move(then));
    if (waiting_.size() < parties_) return;
    round.swap(waiting_);
  }
  for (auto& [party, fn] : round)
    party->post(std::move(fn));
}

}  // namespace lb
