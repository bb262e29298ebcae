#include "tools/ws/builtin.hpp"

#include "protocols/tls/tls_context.hpp"

namespace lb {
namespace {

// The server and the TLS context it borrows, kept alive together.
struct ServedWs {
  ServedWs(Loop& loop, tls::SslCtxPtr tls, ws::SessionOptions options, WsRoute route)
      : ctx(std::move(tls)), server(loop, ctx.get(), options, std::move(route)) {}
  tls::SslCtxPtr ctx;
  WsServer server;
};

}  // namespace

BuiltinWsServer::BuiltinWsServer(const std::string& loop_name, int cpu, bool tls,
                                 ws::SessionOptions options, WsRoute route)
    : tls_(tls) {
  if (tls) identity_ = tls::make_self_signed();
  process_.emplace(loop_server_body(loop_name, cpu,
                                    [&](Loop& loop, const Endpoint& at) {
                                      auto served = std::make_shared<ServedWs>(
                                          loop,
                                          tls_ ? tls::make_server_context(identity_) : nullptr,
                                          options, route);
                                      served->server.listen(at);
                                      return ServingOn{served, served->server.port(), {}};
                                    }),
                   std::chrono::seconds(10));
}

tls::SslCtxPtr ws_client_tls(bool insecure, const std::string& cacert, X509* trusted) {
  tls::ClientConfig config;
  config.verify = !insecure;
  config.ca_file = cacert;
  config.trust = trusted;
  return tls::make_client_context(config);
}

}  // namespace lb
