#include "protocols/ws/session_base.hpp"

namespace lb::ws {

void SessionBase::start(std::span<const std::byte> already_read) {
  held_.assign(already_read.begin(), already_read.end());
  start_reading();
}

void SessionBase::start_reading() {
  auto read = [this] {
    stream_.read_start(
        [this](std::error_code ec, std::span<std::byte> data) { on_read(ec, data); });
  };
  if (held_.empty()) return read();
  held_timer_ = loop_.start_timer(std::chrono::nanoseconds(0), [this, read] {
    if (take_held() && !finished_ && !reading_paused()) read();
  });
}

void SessionBase::writable_next_turn() {
  if (finished_ || writable_timer_.pending()) return;
  writable_timer_ = loop_.start_timer(std::chrono::nanoseconds::zero(), [this] {
    if (!finished_ && handlers_.on_writable) handlers_.on_writable();
  });
}

void SessionBase::writable_if_room() {
  const bool room = send_blocked_ && queued_messages() < options_.send_queue;
  if (room || idle()) {
    send_blocked_ = false;
    if (handlers_.on_writable) handlers_.on_writable();
  }
}

void SessionBase::pause_reading() {
  if (paused_ || finished_) return;
  paused_ = true;
  held_timer_.cancel();
  stream_.read_stop();
}

void SessionBase::resume_reading() {
  if (!paused_ || finished_) return;
  paused_ = false;
  if (!reading_held()) start_reading();
}

}  // namespace lb::ws
