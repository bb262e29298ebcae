#include "tools/http/server.hpp"

#include <memory>
#include <vector>

#include "protocols/tls/tls_context.hpp"
#include "tools/options/options.hpp"
#include "tools/serve/serving_loops.hpp"

namespace lb {

http::ServerStats serve_http(const HttpServeOptions& o,
                             const std::function<void(std::uint16_t)>& ready) {
  pin_or_throw(o.cpu, "server");
  // https: ALPN offers HTTP/2 first (before any thread shares the context).
  if (o.server.tls) tls::select_http_alpn(o.server.tls);
  const http::Routes routes;
  // One server per loop; ServingLoops owns them, these only read their stats.
  std::vector<const http::Server*> servers;
  ServingLoops serving(o.loop, o.threads, Endpoint{o.bind, o.port},
                       [&](Loop& loop, const ListenAt& at) {
                         auto server = std::make_shared<http::Server>(loop, routes, o.server);
                         server->listen(at.endpoint, at.reuse_port);
                         servers.push_back(server.get());
                         return ServingOn{server, server->port(), {}};
                       });
  ready(serving.port());
  serving.run();
  http::ServerStats total;
  for (const auto* s : servers) {
    total.connections += s->stats().connections;
    total.requests += s->stats().requests;
    total.bad_requests += s->stats().bad_requests;
    total.idle_closed += s->stats().idle_closed;
    total.tls_failed += s->stats().tls_failed;
    total.http2_connections += s->stats().http2_connections;
  }
  return total;
}

}  // namespace lb
