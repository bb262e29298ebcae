#include "tools/ws/conformance.hpp"

#include <charconv>

#include "tools/ws/message_echo.hpp"

namespace lb {

// One connection of the sequence: connects, then echoes each message back
// (a text message from /getCaseCount is the count) until the suite closes.
class ConformanceClient::Step {
 public:
  using Closed = std::function<void(std::string error)>;
  Step(Loop& loop, const ConformanceSpec& spec, const std::string& target,
       std::function<void(std::string_view)> on_count, Closed closed)
      : loop_(loop), spec_(spec), on_count_(std::move(on_count)), closed_(std::move(closed)) {
    connector_ = std::make_unique<WsConnector>(
        loop, WsConnectSpec{spec.server.endpoint, spec.server.host, target, nullptr},
        [this](std::string error, Stream stream, std::string leftover) {
          if (!error.empty()) return end(std::move(error));
          upgraded(std::move(stream), leftover);
        });
    connector_->start();
  }

 private:
  void upgraded(Stream stream, const std::string& leftover) {
    session_ = ws::make_session(
        loop_, std::move(stream), ws::Role::client, spec_.session,
        ws::SessionHandlers{
            [this](std::span<const std::byte> piece, bool last) { echo_.on_data(piece, last); },
            [this] { echo_.on_writable(); }, [this](std::uint16_t, std::error_code) { end({}); },
            [this](std::string_view text) {
              if (on_count_) return on_count_(text);
              echo_.on_text(text);
            }});
    echo_.attach(*session_);
    session_->start(as_bytes(leftover));
  }

  // The session may be what called us: the owner frees this step later.
  void end(std::string error) {
    if (ended_) return;
    ended_ = true;
    closed_(std::move(error));
  }

  Loop& loop_;
  const ConformanceSpec& spec_;
  std::function<void(std::string_view)> on_count_;
  Closed closed_;
  std::unique_ptr<WsConnector> connector_;
  std::unique_ptr<ws::Session> session_;
  MessageEcho echo_;
  bool ended_ = false;
};

ConformanceClient::ConformanceClient(Loop& loop, ConformanceSpec spec, Done done)
    : loop_(loop), spec_(std::move(spec)), done_(std::move(done)) {}

ConformanceClient::~ConformanceClient() = default;

void ConformanceClient::start() {
  run_step("/getCaseCount");
}

void ConformanceClient::run_step(const std::string& target) {
  std::function<void(std::string_view)> on_count;
  if (phase_ == Phase::count)
    on_count = [this](std::string_view text) {
      int n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec == std::errc{} && end == text.data() + text.size() && n >= 0) result_.case_count = n;
    };
  step_ = std::make_unique<Step>(loop_, spec_, target, std::move(on_count),
                                 [this](std::string error) { step_closed(std::move(error)); });
  step_timer_ = loop_.start_timer(spec_.step_timeout, [this, target] {
    step_.reset();
    finish(target + " did not end within " + std::to_string(spec_.step_timeout.count()) + " ms");
  });
}

// Each connection's end starts the next on a later turn, after the step
// that called us is freed.
void ConformanceClient::step_closed(std::string error) {
  step_timer_.cancel();
  loop_.defer([this, error = std::move(error)] {
    step_.reset();
    if (!error.empty()) return finish(error);
    const int last =
        spec_.last_case ? std::min(*spec_.last_case, result_.case_count) : result_.case_count;
    if (phase_ == Phase::count) {
      if (result_.case_count == 0) return finish("the suite offered no cases (/getCaseCount)");
      phase_ = Phase::cases;
    } else if (phase_ == Phase::cases) {
      ++result_.cases_run;
    } else {
      return finish({});
    }
    if (result_.cases_run < last)
      return run_step("/runCase?case=" + std::to_string(result_.cases_run + 1) +
                      "&agent=" + spec_.agent);
    phase_ = Phase::report;
    run_step("/updateReports?agent=" + spec_.agent);
  });
}

void ConformanceClient::finish(std::string error) {
  result_.error = std::move(error);
  done_(result_);
}

}  // namespace lb
