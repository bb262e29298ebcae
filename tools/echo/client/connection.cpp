#include "tools/echo/client/connection.hpp"

#include <cstring>
#include <stdexcept>

#include "engine/error.hpp"
#include "tools/echo/protocol.hpp"
#include "tools/ws/connect.hpp"

namespace lb {
namespace {

// Where the next echoed byte belongs: which message, how far into it.
class EchoChecker {
 public:
  explicit EchoChecker(const EchoPayload& payload) : payload_(payload) {}
  // Checks `piece` against the current message from `at_`; returns how
  // many bytes it took (up to the message's end) or sets `error`.
  std::size_t feed(std::span<const std::byte> piece, std::string& error) {
    const auto expected = payload_.expected(seq_).subspan(at_);
    const std::size_t n = std::min(piece.size(), expected.size());
    if (n && std::memcmp(piece.data(), expected.data(), n) != 0) {
      std::size_t i = 0;
      while (piece[i] == expected[i])
        ++i;
      error = "echo of message " + std::to_string(seq_ + 1) + " differs at byte " +
              std::to_string(at_ + i);
      return n;
    }
    at_ += n;
    return n;
  }
  bool complete() const { return at_ == payload_.size(); }
  void next() {
    ++seq_;
    at_ = 0;
  }
  std::uint64_t seq() const { return seq_; }

 private:
  const EchoPayload& payload_;
  std::uint64_t seq_ = 0;
  std::size_t at_ = 0;
};

// What both transports share: the run's target and payload, the handlers,
// the checker, and how many messages went out.
class EchoConnectionBase : public EchoConnection {
 protected:
  EchoConnectionBase(Loop& loop, const EchoTarget& target, const EchoPayload& payload,
                     Handlers handlers)
      : loop_(loop),
        target_(target),
        payload_(payload),
        handlers_(std::move(handlers)),
        checker_(payload) {}

  void report_failure(std::string error) {
    failed_ = true;
    handlers_.on_failed(std::move(error));
  }
  bool usable() const { return !failed_ && !closing_; }

  Loop& loop_;
  const EchoTarget& target_;
  const EchoPayload& payload_;
  Handlers handlers_;
  EchoChecker checker_;
  std::uint64_t sent_ = 0;
  bool closing_ = false;
  bool failed_ = false;
};

class TcpEchoConnection final : public EchoConnectionBase {
 public:
  TcpEchoConnection(Loop& loop, const EchoTarget& target, const EchoPayload& payload,
                    Handlers handlers)
      : EchoConnectionBase(loop, target, payload, std::move(handlers)) {
    const auto length = echo::encode_length(static_cast<std::uint32_t>(payload.size()));
    length_ = std::make_shared<const Bytes>(length.begin(), length.end());
  }
  ~TcpEchoConnection() override { *alive_ = false; }

  void start() override {
    loop_.connect(target_.server, [this, alive = alive_](std::error_code ec, Stream s) {
      if (!*alive) return;
      if (ec) return fail("connect to " + target_.server.to_string() + ": " + ec.message());
      stream_ = std::move(s);
      stream_.read_start(
          [this](std::error_code e, std::span<std::byte> data) { on_read(e, data); });
      handlers_.on_open();
    });
  }

  void send() override {
    if (!usable()) return;
    stream_.write({slice_of(length_), payload_.message(sent_++)}, [this](std::error_code ec) {
      if (ec && !failed_) fail("send: " + ec.message());
    });
  }

  void close() override {
    if (!usable()) return;
    closing_ = true;
    stream_.shutdown([this](std::error_code ec) {
      if (ec && !failed_) fail("shutdown: " + ec.message());
    });
  }

 private:
  void on_read(std::error_code ec, std::span<std::byte> data) {
    if (failed_) return;
    if (ec) {
      if (ec == errc::eof && closing_ && checker_.seq() == sent_ && length_got_ == 0) {
        stream_.close();
        return handlers_.on_closed();
      }
      return fail(ec == errc::eof ? "the server closed the connection"
                                  : "receive: " + ec.message());
    }
    while (!data.empty()) {
      if (length_got_ < echo::kLengthBytes) {
        const std::size_t n = std::min(data.size(), echo::kLengthBytes - length_got_);
        std::memcpy(length_bytes_.data() + length_got_, data.data(), n);
        length_got_ += n;
        data = data.subspan(n);
        if (length_got_ < echo::kLengthBytes) return;
        const auto length = echo::decode_length(length_bytes_);
        if (checker_.seq() >= sent_) return fail("an echo arrived for a message that was not sent");
        if (length != payload_.size())
          return fail("echo of message " + std::to_string(checker_.seq() + 1) + " says " +
                      std::to_string(length) + " bytes, sent " + std::to_string(payload_.size()));
      }
      std::string error;
      data = data.subspan(checker_.feed(data, error));
      if (!error.empty()) return fail(error);
      if (checker_.complete()) {
        checker_.next();
        length_got_ = 0;
        handlers_.on_echo();
        if (failed_) return;
      }
    }
  }

  void fail(std::string error) {
    stream_.close();
    report_failure(std::move(error));
  }

  SharedBytes length_;
  Stream stream_;
  std::array<std::byte, echo::kLengthBytes> length_bytes_{};
  std::size_t length_got_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class WsEchoConnection final : public EchoConnectionBase {
 public:
  WsEchoConnection(Loop& loop, const EchoTarget& target, const EchoPayload& payload,
                   Handlers handlers)
      : EchoConnectionBase(loop, target, payload, std::move(handlers)) {}

  void start() override {
    connector_ = std::make_unique<WsConnector>(
        loop_, WsConnectSpec{target_.server, target_.host, target_.path, target_.tls},
        [this](std::string error, Stream stream, std::string leftover) {
          if (!error.empty()) return fail(std::move(error));
          on_upgraded(std::move(stream), leftover);
        });
    connector_->start();
  }

  void send() override {
    if (!usable()) return;
    if (!session_->send(payload_.message(sent_)))
      return fail("the send queue is full (" + std::to_string(session_->queued_messages()) +
                  " messages)");
    ++sent_;
  }

  void close() override {
    if (!usable()) return;
    closing_ = true;
    session_->close(1000, "done");
  }

 private:
  void on_upgraded(Stream stream, const std::string& leftover) {
    session_ = ws::make_session(
        loop_, std::move(stream), ws::Role::client, target_.session,
        ws::SessionHandlers{
            [this](std::span<const std::byte> piece, bool last) { on_data(piece, last); }, [] {},
            [this](std::uint16_t code, std::error_code ec) { on_closed(code, ec); }, nullptr});
    session_->start(as_bytes(leftover));
    handlers_.on_open();
  }

  void on_data(std::span<const std::byte> piece, bool last) {
    if (failed_) return;
    if (checker_.seq() >= sent_) return fail("an echo arrived for a message that was not sent");
    std::string error;
    const std::size_t took = checker_.feed(piece, error);
    if (!error.empty()) return fail(error);
    if (took < piece.size() || (last && !checker_.complete()))
      return fail("echo of message " + std::to_string(checker_.seq() + 1) +
                  " has a different length than the " + std::to_string(payload_.size()) +
                  " bytes sent");
    if (!last) return;
    checker_.next();
    handlers_.on_echo();
  }

  void on_closed(std::uint16_t code, std::error_code ec) {
    if (failed_) return;
    if (closing_ && !ec && code == 1000 && checker_.seq() == sent_) {
      failed_ = true;  // nothing more from this connection
      return handlers_.on_closed();
    }
    if (ec) return fail("connection failed: " + ec.message());
    fail("the server closed with code " + std::to_string(code));
  }

  void fail(std::string error) { report_failure(std::move(error)); }

  std::unique_ptr<WsConnector> connector_;
  std::unique_ptr<ws::Session> session_;
};

}  // namespace

const char* transport_name(EchoTransport t) {
  switch (t) {
    case EchoTransport::tcp:
      return "tcp";
    case EchoTransport::ws:
      return "ws";
    case EchoTransport::wss:
      return "wss";
  }
  return "?";
}

EchoTransport parse_echo_transport(const std::string& name) {
  if (name == "tcp") return EchoTransport::tcp;
  if (name == "ws") return EchoTransport::ws;
  if (name == "wss") return EchoTransport::wss;
  throw std::invalid_argument("--transport: expected tcp, ws or wss, got '" + name + "'");
}

std::unique_ptr<EchoConnection> make_echo_connection(Loop& loop, const EchoTarget& target,
                                                     const EchoPayload& payload,
                                                     EchoConnection::Handlers handlers) {
  if (target.transport == EchoTransport::tcp)
    return std::make_unique<TcpEchoConnection>(loop, target, payload, std::move(handlers));
  return std::make_unique<WsEchoConnection>(loop, target, payload, std::move(handlers));
}

}  // namespace lb
