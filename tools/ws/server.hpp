#pragma once
// A WebSocket server for the benchmark endpoints: accepts on any loop,
// wraps TLS when given a context, reads the HTTP Upgrade, asks the route
// for the target's handler (400 when there is none), answers 101 and runs a
// ws::Session whose events go to that handler. One handler per connection;
// the server counts sessions that ended as the handler wanted and those
// that did not.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "engine/connection_set.hpp"
#include "engine/handles.hpp"
#include "engine/loop.hpp"
#include "protocols/tls/openssl_handles.hpp"
#include "protocols/tls/tls_acceptor.hpp"
#include "protocols/tls/tls_stream.hpp"
#include "protocols/ws/session.hpp"

namespace lb {

class WsHandler {
 public:
  virtual ~WsHandler() = default;
  // The session runs; it outlives every later call to this handler.
  virtual void start(ws::Session& session) = 0;
  virtual void on_data(std::span<const std::byte> piece, bool last) = 0;
  virtual void on_writable() = 0;
  // Text messages come here whole when wants_text(), else to on_data.
  virtual bool wants_text() const { return false; }
  virtual void on_text(std::string_view) {}
  // The session ended (close code received, transport error): did the
  // exchange do what was asked?
  virtual bool finished(std::uint16_t code, std::error_code ec) = 0;
};

// The handler for a request target ("/ws?test=..."), or null with `why`.
using WsRoute =
    std::function<std::unique_ptr<WsHandler>(const std::string& target, std::string& why)>;

class WsServer {
 public:
  // `tls`: a server SSL_CTX, or null for ws://.
  WsServer(Loop& loop, SSL_CTX* tls, ws::SessionOptions options, WsRoute route);
  ~WsServer();
  void listen(const Endpoint& at, bool reuse_port = false);  // throws std::system_error
  std::uint16_t port() const { return listener_.local_port(); }
  std::uint64_t served() const { return served_; }
  std::uint64_t failed() const { return failed_; }

 private:
  class Connection;
  void accepted(Stream stream);
  void done(std::uint64_t id, bool ok);

  Loop& loop_;
  ws::SessionOptions options_;
  WsRoute route_;
  Listener listener_;
  ConnectionSet<Connection> connections_;
  std::optional<tls::TlsAcceptor> tls_;  // wss: handshakes abandoned with the server
  std::uint64_t served_ = 0, failed_ = 0;
};

}  // namespace lb
