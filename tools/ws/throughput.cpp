#include "tools/ws/throughput.hpp"

#include <charconv>
#include <limits>
#include <system_error>

#include "engine/error.hpp"
#include "protocols/tls/tls_stream.hpp"
#include "protocols/ws/handshake.hpp"
#include "tools/options/request_target.hpp"
#include "tools/options/size.hpp"
#include "tools/serve/random_bytes.hpp"

namespace lb {
namespace {

// Keeps the send queue full: one message per call to send() until it says no.
template <class Session>
std::uint64_t fill_queue(Session& s, const SharedBytes& chunk, std::uint64_t total,
                         std::uint64_t& sent) {
  std::uint64_t messages = 0;
  while (sent < total) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk->size(), total - sent));
    if (!s.send(slice_of(chunk, 0, n))) break;
    sent += n;
    ++messages;
  }
  return messages;
}

bool parse_u64(std::string_view text, std::uint64_t& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size() && !text.empty();
}

// The timed test's two text messages (throughput.hpp).
constexpr std::string_view kStop = "stop";
constexpr std::string_view kSentWord = "sent ";
constexpr std::string_view kReceivedWord = " received ";

std::string counts_report(std::uint64_t sent, std::uint64_t received) {
  return std::string(kSentWord) + std::to_string(sent) + std::string(kReceivedWord) +
         std::to_string(received);
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_counts_report(std::string_view text) {
  if (text.substr(0, kSentWord.size()) != kSentWord) return std::nullopt;
  text.remove_prefix(kSentWord.size());
  const auto gap = text.find(kReceivedWord);
  if (gap == std::string_view::npos) return std::nullopt;
  std::uint64_t sent = 0, received = 0;
  if (!parse_u64(text.substr(0, gap), sent) ||
      !parse_u64(text.substr(gap + kReceivedWord.size()), received))
    return std::nullopt;
  return std::pair{sent, received};
}

}  // namespace

std::string ws_test_target(const std::string& path, const WsTestSpec& s) {
  return path + "?test=" + s.direction + "&total=" + std::to_string(s.total) +
         "&chunk=" + std::to_string(s.chunk) + (s.until_stop ? "&until=stop" : "");
}

std::string parse_ws_test_target(const std::string& target, WsTestSpec& out) {
  const RequestTarget t = split_target(target);
  if (t.path != "/ws") return "no WebSocket endpoint at " + t.path;
  out = WsTestSpec{};
  out.total = 10ull << 30;  // the original's default
  for (const auto& [key, value] : t.query) {
    std::uint64_t n = 0;
    if (key == "test") {
      if (value != "download" && value != "upload" && value != "concurrent")
        return "test must be download, upload or concurrent";
      out.direction = value;
    } else if (key == "total") {
      if (!parse_u64(value, n)) return "total must be a byte count";
      out.total = n;
    } else if (key == "chunk") {
      if (!parse_u64(value, n) || n == 0 || n > kMaxChunkBytes) return "chunk must be 1..16 MiB";
      out.chunk = static_cast<std::uint32_t>(n);
    } else if (key == "until") {
      if (value != "stop") return "until must be stop";
      out.until_stop = true;
    }
  }
  return {};
}

namespace {

// /ws?test=...: sends `total` in `chunk`-sized messages (download), counts
// what arrives (upload), or both; closes with 1000 when its part is done.
// With until=stop, its part is done at the client's "stop", and its counts
// go before the close.
class ThroughputHandler final : public WsHandler {
 public:
  explicit ThroughputHandler(WsTestSpec spec) : spec_(std::move(spec)) {}

  void start(ws::Session& session) override {
    session_ = &session;
    if (spec_.direction != "upload") chunk_ = random_bytes(spec_.chunk);
    pump();
  }
  void on_data(std::span<const std::byte> piece, bool) override {
    received_ += piece.size();
    maybe_close();
  }
  void on_writable() override { pump(); }
  bool wants_text() const override { return spec_.until_stop; }
  void on_text(std::string_view text) override {
    if (text != kStop) return session_->close(1008, "only \"stop\" is expected as text");
    stopped_ = true;
    maybe_close();
  }
  bool finished(std::uint16_t, std::error_code ec) override {
    if (spec_.until_stop) return !ec && reported_;
    return !ec && received_ >= expected_upload();
  }

 private:
  std::uint64_t expected_upload() const { return spec_.direction == "download" ? 0 : spec_.total; }
  std::uint64_t download() const {
    if (spec_.direction == "upload") return 0;
    return spec_.until_stop ? std::numeric_limits<std::uint64_t>::max() : spec_.total;
  }

  void pump() {
    if (chunk_ && !stopped_) fill_queue(*session_, chunk_, download(), sent_);
    maybe_close();
  }

  void maybe_close() {
    if (spec_.until_stop) {
      // The report waits for room in the send queue (on_writable).
      if (!stopped_ || reported_ || !session_->send_text(counts_report(sent_, received_))) return;
      reported_ = true;
    } else if (sent_ < download() || received_ < expected_upload()) {
      return;
    }
    session_->close(1000, "done");  // after the queued data
  }

  WsTestSpec spec_;
  ws::Session* session_ = nullptr;
  SharedBytes chunk_;
  std::uint64_t sent_ = 0, received_ = 0;
  bool stopped_ = false, reported_ = false;
};

}  // namespace

WsRoute ws_throughput_route() {
  return [](const std::string& target, std::string& why) -> std::unique_ptr<WsHandler> {
    WsTestSpec spec;
    why = parse_ws_test_target(target, spec);
    if (!why.empty()) return nullptr;
    return std::make_unique<ThroughputHandler>(std::move(spec));
  };
}

// ---------------------------------------------------------------- client

WsClientTransfer::WsClientTransfer(Loop& loop, WsClientSpec spec, Done done)
    : loop_(loop), spec_(std::move(spec)), done_(std::move(done)) {}
WsClientTransfer::~WsClientTransfer() = default;

void WsClientTransfer::start() {
  WsTestSpec test = spec_.test;
  test.until_stop = timed();
  watchdog_ = loop_.start_timer(spec_.idle_timeout, [this] { check_idle(); });
  connector_ = std::make_unique<WsConnector>(
      loop_, WsConnectSpec{spec_.server, spec_.host, ws_test_target(spec_.path, test), spec_.tls},
      [this](std::string error, Stream stream, std::string leftover) {
        if (!error.empty()) return finish(std::move(error));
        on_upgraded(std::move(stream), leftover);
      });
  connector_->start();
}

void WsClientTransfer::on_upgraded(Stream stream, const std::string& rest) {
  started_ = Clock::now();
  received_ = std::make_shared<RecvQueue>(loop_, spec_.recv_queue,
                                          [this](std::span<const std::byte> m) { consume(m); });
  session_ = ws::make_session(
      loop_, std::move(stream), ws::Role::client, spec_.options,
      ws::SessionHandlers{
          [this](std::span<const std::byte> piece, bool last) { received_->append(piece, last); },
          [this] { pump(); },
          [this](std::uint16_t code, std::error_code ec) { on_closed(code, ec); },
          timed() ? std::function<void(std::string_view)>(
                        [this](std::string_view text) { on_report(text); })
                  : nullptr});
  received_->attach(session_.get());
  session_->start(as_bytes(rest));
  if (spec_.test.direction != "download") chunk_ = random_bytes(spec_.test.chunk, 11);
  if (timed())
    deadline_ = loop_.start_timer(spec_.duration, [this] {
      deadline_passed_ = true;
      pump();  // no more data: "stop" follows what is queued
    });
  pump();
}

// Every message but the last of a transfer is one chunk; of a timed one,
// every message.
void WsClientTransfer::consume(std::span<const std::byte> message) {
  if (finished_) return;
  const std::uint64_t left = spec_.test.total - std::min(spec_.test.total, result_.received);
  const std::uint64_t want =
      timed() ? spec_.test.chunk : std::min<std::uint64_t>(spec_.test.chunk, left);
  if (message.size() != want)
    return finish("message " + std::to_string(result_.messages + 1) + " has " +
                  std::to_string(message.size()) + " bytes, expected " + std::to_string(want));
  result_.received += message.size();
  ++result_.messages;
}

void WsClientTransfer::on_closed(std::uint16_t code, std::error_code ec) {
  result_.duration_s = std::chrono::duration<double>(Clock::now() - started_).count();
  received_->attach(nullptr);
  received_->consume_all();  // what arrived before the close frame counts
  result_.recv_queue_peak = received_->peak();
  if (finished_) return;
  const std::uint64_t want = spec_.test.direction == "upload" ? 0 : spec_.test.total;
  if (ec) return finish("connection failed: " + ec.message());
  if (code != 1000) return finish("server closed with code " + std::to_string(code));
  if (timed()) return finish(timed_outcome());
  if (result_.received != want)
    return finish("received " + std::to_string(result_.received) + " of " + std::to_string(want) +
                  " bytes");
  finish({});
}

void WsClientTransfer::on_report(std::string_view text) {
  server_counts_ = parse_counts_report(text);
  if (!server_counts_)
    finish("the server's counts are not \"sent N received M\": " + std::string(text));
}

// Every byte the server says it sent arrived, and it received every byte
// we sent: what a timed transfer must show at its close.
std::string WsClientTransfer::timed_outcome() const {
  if (!server_counts_)
    return "the server closed without its counts (bench ws -d needs bench's own server)";
  const auto [server_sent, server_received] = *server_counts_;
  if (result_.received != server_sent)
    return "received " + std::to_string(result_.received) + " of the " +
           std::to_string(server_sent) + " bytes the server sent";
  if (server_received != result_.sent)
    return "the server received " + std::to_string(server_received) + " of the " +
           std::to_string(result_.sent) + " bytes sent";
  return {};
}

// An upload's last byte queued: our Close follows it, so a server that only
// reads (a plain sink that knows no ?test=) ends the exchange too; the clock
// stops when the closing handshake completes, when the server has read it
// all. Our own server closes first as soon as every byte arrived; either
// way the Close frames cross once.
//
// Framing (masking into fresh frame buffers on the first fill) is the
// client's work, so it takes a turn's share at a time: a first fill of the
// send queue framed 8 MiB in one 20-60 ms turn.
void WsClientTransfer::pump() {
  if (finished_) return;
  if (deadline_passed_) return send_stop();
  if (!chunk_) return;
  TurnBudget& budget = loop_.turn_budget();
  while (timed() || result_.sent < spec_.test.total) {
    if (!share_.may_go_on(budget)) return session_->writable_next_turn();
    const auto n = static_cast<std::size_t>(
        timed() ? chunk_->size()
                : std::min<std::uint64_t>(chunk_->size(), spec_.test.total - result_.sent));
    if (!session_->send(slice_of(chunk_, 0, n))) return;
    share_.stepped(budget);
    result_.sent += n;
    ++result_.messages;
  }
  if (spec_.test.direction == "upload") session_->close(1000, "done");
}

// After our data, once the send queue takes it (else on_writable retries).
void WsClientTransfer::send_stop() {
  if (!stop_sent_) stop_sent_ = session_->send_text(kStop);
}

void WsClientTransfer::check_idle() {
  if (finished_) return;
  const auto progress = result_.received + result_.sent;
  if (progress == progress_at_check_ && stop_sent_ && !server_counts_)
    return finish("no counts from the server " + std::to_string(spec_.idle_timeout.count()) +
                  " ms after our \"stop\" (bench ws -d needs bench's own server)");
  if (progress == progress_at_check_)
    return finish("no progress for " + std::to_string(spec_.idle_timeout.count()) + " ms");
  progress_at_check_ = progress;
  watchdog_ = loop_.start_timer(spec_.idle_timeout, [this] { check_idle(); });
}

// The session may be what called us: release it on the next turn.
void WsClientTransfer::finish(std::string error) {
  if (finished_) return;
  finished_ = true;
  result_.error = std::move(error);
  watchdog_.cancel();
  deadline_.cancel();
  std::shared_ptr<ws::Session> dying = std::move(session_);
  std::shared_ptr<WsConnector> connector = std::move(connector_);  // closes a connect in progress
  loop_.defer([dying, connector] {});
  done_(result_);
}

}  // namespace lb
