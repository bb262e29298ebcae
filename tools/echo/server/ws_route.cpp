#include "tools/echo/server/ws_route.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "tools/options/request_target.hpp"
#include "tools/process/cpu.hpp"

namespace lb {
namespace {

class EchoHandler final : public WsHandler {
 public:
  explicit EchoHandler(std::shared_ptr<std::size_t> live) : live_(std::move(live)) { ++*live_; }
  // The last connection gone: what they held goes back to the system, so
  // the next run's resident set per connection starts from here.
  ~EchoHandler() override {
    if (--*live_ == 0) release_free_memory();
  }

  void start(ws::Session& session) override { session_ = &session; }

  void on_data(std::span<const std::byte> piece, bool last) override {
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

  // Text arrives whole and already checked as UTF-8.
  bool wants_text() const override { return true; }
  void on_text(std::string_view text) override {
    waiting_text_ = std::string(text);
    send_waiting();
  }

  void on_writable() override {
    if (waiting_ || waiting_text_) send_waiting();
  }

  bool finished(std::uint16_t code, std::error_code ec) override {
    return !ec && (code == 1000 || code == 1001);
  }

 private:
  // One message waits at most: reading pauses until it is queued.
  void send_waiting() {
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

  std::shared_ptr<std::size_t> live_;
  ws::Session* session_ = nullptr;
  Bytes message_;
  SharedBytes waiting_;
  std::optional<std::string> waiting_text_;
  bool paused_ = false;
};

}  // namespace

WsRoute ws_echo_route() {
  auto live = std::make_shared<std::size_t>(0);
  return [live](const std::string& target, std::string& why) -> std::unique_ptr<WsHandler> {
    if (split_target(target).path != "/echo") {
      why = "no echo endpoint at " + target;
      return nullptr;
    }
    return std::make_unique<EchoHandler>(live);
  };
}

}  // namespace lb
