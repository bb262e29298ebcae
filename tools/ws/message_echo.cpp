#include "tools/ws/message_echo.hpp"

namespace lb {

void MessageEcho::on_data(std::span<const std::byte> piece, bool last) {
  message_.insert(message_.end(), piece.begin(), piece.end());
  if (!last) return;
  const std::size_t size = message_.size();
  waiting_ = std::make_shared<const Bytes>(std::move(message_));
  // The session may hold the sent buffer until it is written, so the next
  // message gets a new one, sized at once like this one.
  message_ = Bytes{};
  message_.reserve(size);
  send_waiting();
}

void MessageEcho::on_text(std::string_view text) {
  waiting_text_ = std::string(text);
  send_waiting();
}

void MessageEcho::on_writable() {
  if (waiting_ || waiting_text_) send_waiting();
}

void MessageEcho::send_waiting() {
  const bool sent =
      waiting_text_ ? session_->send_text(*waiting_text_) : session_->send(slice_of(waiting_));
  if (!sent) {
    if (!paused_) session_->pause_reading();
    paused_ = true;
    return;
  }
  waiting_.reset();
  waiting_text_.reset();
  if (paused_) session_->resume_reading();
  paused_ = false;
}

}  // namespace lb
