#pragma once
// The client's way in: TCP connect, TLS when asked (verifying as the
// context says), the HTTP Upgrade, and the 101 checked. What follows is the
// caller's: it gets the stream (not reading) and any bytes that came after
// the answer, or one line that says what went wrong.
#include <functional>
#include <memory>
#include <string>

#include "engine/handles.hpp"
#include "engine/loop.hpp"
#include "protocols/tls/openssl_handles.hpp"
#include "protocols/tls/tls_stream.hpp"

namespace lb {

struct WsConnectSpec {
  Endpoint server;
  std::string host;    // Host header, SNI and certificate name
  std::string target;  // "/ws?test=..."
  SSL_CTX* tls = nullptr;
};

// ws://HOST:PORT/PATH or wss://...; `default_path` when there is no path.
struct WsUrl {
  bool tls = false;
  std::string host;
  Endpoint endpoint;
  std::string path;
};
// Throws std::invalid_argument saying what is wrong.
WsUrl parse_ws_url(const std::string& url, const std::string& default_path);
// The same for a command's --url: bad input is a UsageError (exit 2).
WsUrl url_option(const std::string& url, const std::string& default_path);

class WsConnector {
 public:
  using Done = std::function<void(std::string error, Stream stream, std::string leftover)>;
  WsConnector(Loop& loop, WsConnectSpec spec, Done done);
  // No callback after destruction; a connection in progress is closed.
  ~WsConnector();
  WsConnector(const WsConnector&) = delete;
  WsConnector& operator=(const WsConnector&) = delete;

  void start();

 private:
  void on_transport(Stream stream);
  void on_bytes(std::span<const std::byte> data);
  void finish(std::string error, std::string leftover = {});

  Loop& loop_;
  WsConnectSpec spec_;
  Done done_;
  tls::Handshake handshake_;  // abandoned with the connector
  Stream stream_;
  std::string key_;
  std::string head_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace lb
