#include "tools/ws/connect.hpp"

#include <stdexcept>

#include "protocols/tls/tls_stream.hpp"
#include "protocols/ws/handshake.hpp"
#include "tools/options/usage_error.hpp"

namespace lb {

WsUrl parse_ws_url(const std::string& url, const std::string& default_path) {
  WsUrl out;
  out.path = default_path;
  std::string rest;
  if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else if (url.rfind("wss://", 0) == 0) {
    out.tls = true;
    rest = url.substr(6);
  } else {
    throw std::invalid_argument("--url: expected ws://HOST:PORT/PATH or wss://..., got '" + url +
                                "'");
  }
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.path = rest.substr(slash);
  auto ep = Endpoint::parse(authority);
  if (!ep || authority.find(':') == std::string::npos)
    throw std::invalid_argument("--url: expected HOST:PORT in '" + url + "'");
  out.endpoint = *ep;
  out.host = ep->host;
  return out;
}

WsUrl url_option(const std::string& url, const std::string& default_path) {
  try {
    return parse_ws_url(url, default_path);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

WsConnector::WsConnector(Loop& loop, WsConnectSpec spec, Done done)
    : loop_(loop), spec_(std::move(spec)), done_(std::move(done)) {}

WsConnector::~WsConnector() {
  *alive_ = false;
}

void WsConnector::start() {
  loop_.connect(spec_.server, [this, alive = alive_](std::error_code ec, Stream tcp) {
    if (!*alive || !done_) return;
    if (ec) return finish("cannot connect to " + spec_.server.to_string() + ": " + ec.message());
    if (!spec_.tls) return on_transport(std::move(tcp));
    handshake_ = tls::start_tls(loop_, std::move(tcp), spec_.tls, tls::Role::client, spec_.host,
                                [this, alive](std::error_code tec, Stream s) {
                                  if (!*alive || !done_) return;
                                  if (tec) return finish("TLS handshake failed: " + tec.message());
                                  on_transport(std::move(s));
                                });
  });
}

void WsConnector::on_transport(Stream stream) {
  stream_ = std::move(stream);
  key_ = ws::make_key();
  const std::string host = spec_.host + ":" + std::to_string(spec_.server.port);
  stream_.write({copy_slice(ws::client_request(host, spec_.target, key_))}, [](std::error_code) {});
  stream_.read_start([this](std::error_code ec, std::span<const std::byte> data) {
    if (!done_) return;
    if (ec) return finish("connection closed during the WebSocket handshake: " + ec.message());
    on_bytes(data);
  });
}

void WsConnector::on_bytes(std::span<const std::byte> data) {
  head_.append(reinterpret_cast<const char*>(data.data()), data.size());
  const auto end = head_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (head_.size() > 16384) finish("WebSocket handshake answer too large");
    return;
  }
  if (const auto why = ws::check_response(std::string_view(head_).substr(0, end + 2), key_);
      !why.empty())
    return finish(why);
  stream_.read_stop();
  finish({}, head_.substr(end + 4));
}

void WsConnector::finish(std::string error, std::string leftover) {
  auto done = std::move(done_);
  done_ = nullptr;
  if (!error.empty()) stream_.close();
  done(std::move(error), std::move(stream_), std::move(leftover));
}

}  // namespace lb
