#include "tools/echo/server/ws_route.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "tools/options/request_target.hpp"
#include "tools/process/cpu.hpp"
#include "tools/ws/message_echo.hpp"

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

  void start(ws::Session& session) override { echo_.attach(session); }
  void on_data(std::span<const std::byte> piece, bool last) override { echo_.on_data(piece, last); }
  // Text arrives whole and already checked as UTF-8.
  bool wants_text() const override { return true; }
  void on_text(std::string_view text) override { echo_.on_text(text); }
  void on_writable() override { echo_.on_writable(); }

  bool finished(std::uint16_t code, std::error_code ec) override {
    return !ec && (code == 1000 || code == 1001);
  }

 private:
  std::shared_ptr<std::size_t> live_;
  MessageEcho echo_;
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
