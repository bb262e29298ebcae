#include "tools/ws_builtin.hpp"

#include <cstdio>

#include "backends/registry.hpp"
#include "protocols/tls/tls_context.hpp"
#include "tools/command.hpp"
#include "tools/stop_on_signal.hpp"

namespace lb {

BuiltinWsServer::BuiltinWsServer(const std::string& loop_name, int cpu, bool tls,
                                 ws::SessionOptions options, WsRoute route)
    : tls_(tls) {
  if (tls) identity_ = tls::make_self_signed();
  process_.emplace(
      [&](const std::function<void(std::uint16_t)>& ready) {
        try {
          pin_or_throw(cpu, "server");
          auto loop = make_loop(loop_name);
          tls::SslCtxPtr ctx = tls_ ? tls::make_server_context(identity_) : nullptr;
          WsServer server(*loop, ctx.get(), options, route);
          server.listen(Endpoint{"127.0.0.1", 0});
          StopOnSignal stop(*loop);
          ready(server.port());
          loop->run();
          return 0;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "bench: server: %s\n", e.what());
          return 1;
        }
      },
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
