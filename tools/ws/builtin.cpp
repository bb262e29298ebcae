#include "tools/ws/builtin.hpp"
#include "tools/serve/server_body.hpp"

#include <fmt/core.h>

#include "protocols/tls/tls_context.hpp"
#include "tools/options/usage_error.hpp"
#include "tools/process/placement.hpp"

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

BuiltinWsServer::BuiltinWsServer(const Placement& where, const std::string& loop_name, int cpu,
                                 bool tls, ws::SessionOptions options, WsRoute route, int threads)
    : host_(where.server_host), tls_(tls) {
  if (tls) identity_ = tls::make_self_signed(365, host_);
  process_.emplace(loop_server_body(
                       where, loop_name, cpu,
                       [&](Loop& loop, const ListenAt& at) {
                         auto served = std::make_shared<ServedWs>(
                             loop, tls_ ? tls::make_server_context(identity_) : nullptr, options,
                             route);
                         served->server.listen(at.endpoint, at.reuse_port);
                         return ServingOn{served, served->server.port(), {}};
                       },
                       threads),
                   std::chrono::seconds(10));
}

ServingOn start_ws_server(Loop& loop, const ListenAt& at, SSL_CTX* tls, ws::SessionOptions options,
                          WsRoute route) {
  auto server = std::make_shared<WsServer>(loop, tls, options, std::move(route));
  server->listen(at.endpoint, at.reuse_port);
  return ServingOn{server, server->port(), [server] {
                     return fmt::format("{} sessions served, {} failed", server->served(),
                                        server->failed());
                   }};
}

tls::SslCtxPtr ws_client_tls(bool insecure, const std::string& cacert, X509* trusted) {
  tls::ClientConfig config;
  config.verify = !insecure;
  config.ca_file = cacert;
  config.trust = trusted;
  return tls::make_client_context(config);
}

WsUrl url_or_builtin_ws_server(const std::string& url, const std::string& path,
                               const RunOptions& run, const Placement& where, bool tls,
                               ws::SessionOptions options, WsRoute route,
                               std::optional<BuiltinWsServer>& server) {
  if (!url.empty()) return url_option(url, path);
  run.check_server_loop();
  server.emplace(where, run.server_loop, run.server_cpu, tls, options, std::move(route));
  return WsUrl{tls, where.server_host, server->endpoint(), path};
}

}  // namespace lb
