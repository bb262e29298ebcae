#pragma once
// The client's receive queue, as the original suite's asyncio.Queue(maxsize):
// the session's reader appends each message, a consumer takes them on a
// later loop turn, and when `bound` messages wait the session stops reading,
// so the server meets TCP backpressure instead of the queue growing.
// Message buffers are recycled: a steady stream allocates nothing.
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "engine/buffer.hpp"
#include "engine/loop.hpp"
#include "protocols/ws/session.hpp"

namespace lb {

class RecvQueue : public std::enable_shared_from_this<RecvQueue> {
 public:
  using Consumer = std::function<void(std::span<const std::byte> message)>;
  RecvQueue(Loop& loop, std::size_t bound, Consumer consume);

  // Where the session's pieces go; `session` is paused and resumed.
  void attach(ws::Session* session) { session_ = session; }
  void append(std::span<const std::byte> piece, bool last);
  // Hands every waiting message to the consumer now (also at the end).
  void consume_all();
  std::size_t waiting() const { return ready_.size(); }
  std::size_t peak() const { return peak_; }

 private:
  Loop& loop_;
  std::size_t bound_;
  Consumer consume_;
  ws::Session* session_ = nullptr;
  Bytes assembling_;
  std::deque<Bytes> ready_;
  std::vector<Bytes> free_;
  std::size_t peak_ = 0;
  std::size_t last_size_ = 0;
  bool drain_scheduled_ = false;
};

}  // namespace lb
