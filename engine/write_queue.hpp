#pragma once
// The ordered write queue that backends without a queue of their own (epoll,
// io_uring) keep per stream: BufferLists with their callbacks, a cursor into
// the front, and the byte count that backpressure reports.
#include <cstddef>
#include <deque>
#include <span>
#include <vector>

#include "engine/backend.hpp"

namespace lb {

class WriteQueue {
 public:
  void push(BufferList bufs, WriteCallback cb);
  bool empty() const { return requests_.empty(); }
  std::size_t bytes() const { return bytes_; }

  // Calls emit(std::span<const std::byte>) for up to `max` unwritten pieces,
  // front first; returns how many it emitted.
  template <class Emit>
  std::size_t gather(std::size_t max, Emit&& emit) const;

  // Marks `n` bytes as written; callbacks of requests now complete are
  // appended to `done` (the caller runs them once its own state is settled).
  void consume(std::size_t n, std::vector<WriteCallback>& done);

  // Empties the queue, handing back every callback.
  std::vector<WriteCallback> take_all();

 private:
  struct Request {
    BufferList bufs;
    WriteCallback cb;
    std::size_t index = 0;   // first slice not fully written
    std::size_t offset = 0;  // bytes written of that slice
  };
  std::deque<Request> requests_;
  std::size_t bytes_ = 0;
};

template <class Emit>
std::size_t WriteQueue::gather(std::size_t max, Emit&& emit) const {
  std::size_t n = 0;
  for (const auto& r : requests_) {
    for (std::size_t i = r.index; i < r.bufs.size(); ++i) {
      if (n == max) return n;
      const std::size_t skip = i == r.index ? r.offset : 0;
      const auto& s = r.bufs[i];
      if (s.size == skip) continue;
      emit(std::span<const std::byte>(s.data() + skip, s.size - skip));
      ++n;
    }
  }
  return n;
}

}  // namespace lb
