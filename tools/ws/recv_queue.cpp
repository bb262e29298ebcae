#include "tools/ws/recv_queue.hpp"

namespace lb {

RecvQueue::RecvQueue(Loop& loop, std::size_t bound, Consumer consume)
    : loop_(loop), bound_(bound), consume_(std::move(consume)) {}

void RecvQueue::append(std::span<const std::byte> piece, bool last) {
  // A fresh buffer is sized like the last message before the first piece
  // lands: growing it piece by piece copied each message up to twice.
  if (assembling_.empty() && assembling_.capacity() < last_size_) assembling_.reserve(last_size_);
  assembling_.insert(assembling_.end(), piece.begin(), piece.end());
  if (!last) return;
  last_size_ = assembling_.size();
  ready_.push_back(std::move(assembling_));
  if (free_.empty()) {
    assembling_ = Bytes{};
  } else {
    assembling_ = std::move(free_.back());
    free_.pop_back();
  }
  assembling_.clear();
  peak_ = std::max(peak_, ready_.size());
  if (ready_.size() >= bound_ && session_) session_->pause_reading();
  if (!drain_scheduled_) {
    drain_scheduled_ = true;
    loop_.defer([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->consume_all();
    });
  }
}

void RecvQueue::consume_all() {
  drain_scheduled_ = false;
  while (!ready_.empty()) {
    Bytes message = std::move(ready_.front());
    ready_.pop_front();
    consume_(message);
    free_.push_back(std::move(message));
  }
  if (session_) session_->resume_reading();
}

}  // namespace lb
