#include "engine/write_queue.hpp"

namespace lb {

void WriteQueue::push(BufferList bufs, WriteCallback cb) {
  bytes_ += total_size(bufs);
  requests_.push_back(Request{std::move(bufs), std::move(cb)});
}

void WriteQueue::consume(std::size_t n, std::vector<WriteCallback>& done) {
  bytes_ -= n;
  while (!requests_.empty()) {
    auto& r = requests_.front();
    while (r.index < r.bufs.size()) {
      const std::size_t left = r.bufs[r.index].size - r.offset;
      if (n < left) {
        r.offset += n;
        return;
      }
      n -= left;
      ++r.index;
      r.offset = 0;
    }
    done.push_back(std::move(r.cb));
    requests_.pop_front();
  }
}

std::vector<WriteCallback> WriteQueue::take_all() {
  std::vector<WriteCallback> cbs;
  for (auto& r : requests_)
    cbs.push_back(std::move(r.cb));
  requests_.clear();
  bytes_ = 0;
  return cbs;
}

}  // namespace lb
