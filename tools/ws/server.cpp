#include "tools/ws/server.hpp"

#include "protocols/http/request_reader.hpp"
#include "protocols/http/routes.hpp"
#include "protocols/tls/tls_stream.hpp"
#include "protocols/ws/handshake.hpp"

namespace lb {

class WsServer::Connection {
 public:
  Connection(WsServer& server, std::uint64_t id, Stream stream)
      : server_(server), id_(id), stream_(std::move(stream)) {
    stream_.read_start([this](std::error_code ec, std::span<const std::byte> data) {
      if (ec) return server_.done(id_, false);
      // A request the HTTP rules refuse gets their status (400, 414, 431,
      // 501, 505, ...), as from the HTTP server.
      const int status = reader_.feed(data, [this](const http::Request& r) { on_request(r); });
      if (status && !session_) refuse(http::Routes::error(status));
    });
  }

 private:
  void refuse(BufferList response) {
    stream_.read_stop();
    stream_.write(std::move(response), [](std::error_code) {});
    stream_.shutdown([this](std::error_code) { server_.done(id_, false); });
  }

  void on_request(const http::Request& r) {
    const auto verdict = ws::answer_request(r);
    if (verdict.status != 101) return refuse({copy_slice(verdict.response)});
    std::string why;
    handler_ = server_.route_(r.target, why);
    if (!handler_) return refuse(http::Routes::error(400));
    stream_.write({copy_slice(verdict.response)}, [](std::error_code) {});
    const std::string rest = reader_.take_unread();
    stream_.read_stop();
    ws::SessionHandlers handlers{
        [this](std::span<const std::byte> piece, bool last) { handler_->on_data(piece, last); },
        [this] { handler_->on_writable(); },
        [this](std::uint16_t code, std::error_code ec) {
          server_.done(id_, handler_->finished(code, ec));
        },
        nullptr};
    if (handler_->wants_text())
      handlers.on_text = [this](std::string_view text) { handler_->on_text(text); };
    session_ = ws::make_session(server_.loop_, std::move(stream_), ws::Role::server,
                                server_.options_, std::move(handlers));
    session_->start(as_bytes(rest));
    handler_->start(*session_);
  }

  WsServer& server_;
  std::uint64_t id_;
  Stream stream_;
  http::RequestReader reader_;
  std::unique_ptr<ws::Session> session_;
  std::unique_ptr<WsHandler> handler_;  // destroyed before the session
};

WsServer::WsServer(Loop& loop, SSL_CTX* tls, ws::SessionOptions options, WsRoute route)
    : loop_(loop), options_(options), route_(std::move(route)), connections_(loop) {
  if (tls) tls_.emplace(loop, tls);
}
WsServer::~WsServer() = default;

void WsServer::listen(const Endpoint& at, bool reuse_port) {
  ListenOptions options;
  options.reuse_port = reuse_port;
  options.backlog = 4096;
  listener_ = listen_or_throw(loop_, at, options, [this](Stream s) { accepted(std::move(s)); });
}

void WsServer::accepted(Stream stream) {
  const auto id = connections_.next_id();
  if (!tls_) {
    connections_.add(id, std::make_unique<Connection>(*this, id, std::move(stream)));
    return;
  }
  tls_->accept(std::move(stream), [this, id](std::error_code ec, Stream s) {
    if (ec) {
      ++failed_;  // plain HTTP to a TLS port and the like
      return;
    }
    connections_.add(id, std::make_unique<Connection>(*this, id, std::move(s)));
  });
}

void WsServer::done(std::uint64_t id, bool ok) {
  if (connections_.remove(id)) ok ? ++served_ : ++failed_;
}

}  // namespace lb
