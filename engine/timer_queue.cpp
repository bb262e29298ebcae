#include "engine/timer_queue.hpp"

namespace lb {

TimerQueue::Id TimerQueue::add(Clock::time_point deadline, std::function<void()> cb) {
  const Id id = next_id_++;
  heap_.push(Entry{deadline, id});
  callbacks_.emplace(id, std::move(cb));
  return id;
}

bool TimerQueue::cancel(Id id) {
  return callbacks_.erase(id) > 0;
}

void TimerQueue::drop_cancelled() {
  while (!heap_.empty() && !callbacks_.contains(heap_.top().id))
    heap_.pop();
}

std::optional<Clock::time_point> TimerQueue::next_deadline() {
  drop_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().deadline;
}

void TimerQueue::run_due(Clock::time_point now, const std::function<bool()>& enough) {
  const Id first_new = next_id_;
  for (;;) {
    drop_cancelled();
    if (heap_.empty() || heap_.top().deadline > now || heap_.top().id >= first_new) return;
    const Id id = heap_.top().id;
    heap_.pop();
    auto node = callbacks_.extract(id);
    node.mapped()();
    if (enough && enough()) return;
  }
}

}  // namespace lb
