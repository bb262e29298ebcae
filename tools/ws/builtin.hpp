#pragma once
// The built-in WebSocket server of `bench ws`, `bench stream client` and
// `bench echo`: a child process (pinned when asked, on its own loops)
// serving a route where the command's Placement says, over TLS with a fresh
// self-signed certificate when asked; and the client's TLS context, which
// then trusts exactly that certificate.
#include <optional>
#include <string>

#include "engine/endpoint.hpp"
#include "protocols/tls/certificate.hpp"
#include "protocols/tls/openssl_handles.hpp"
#include "protocols/ws/session.hpp"
#include "tools/options/run_options.hpp"
#include "tools/options/tls_options.hpp"
#include "tools/process/cpu.hpp"
#include "tools/process/placement.hpp"
#include "tools/process/server_process.hpp"
#include "tools/serve/serving_loops.hpp"
#include "tools/ws/connect.hpp"
#include "tools/ws/server.hpp"

namespace lb {

class BuiltinWsServer {
 public:
  // Throws when the child cannot start (its reason is on stderr).
  BuiltinWsServer(const Placement& where, const std::string& loop, int cpu, bool tls,
                  ws::SessionOptions options, WsRoute route, int threads = 1);
  Endpoint endpoint() const { return Endpoint{host_, process_->port()}; }
  X509* certificate() const { return tls_ ? identity_.cert.get() : nullptr; }
  void stop() { process_->stop(); }
  pid_t pid() const { return process_->pid(); }
  // The server process's CPU time so far (see cpu_seconds_of).
  std::optional<double> cpu_seconds() const { return process_->cpu_seconds(); }
  std::optional<MemoryKib> memory() const { return process_->memory(); }

 private:
  std::string host_;
  bool tls_;
  tls::Certificate identity_;
  std::optional<ServerProcess> process_;
};

// A WsServer for `bench serve ws` and `bench stream serve`, listening at
// `at`; its summary counts the sessions served and failed.
ServingOn start_ws_server(Loop& loop, const ListenAt& at, SSL_CTX* tls, ws::SessionOptions options,
                          WsRoute route);

// Where a ws or stream run connects: --url's server (`url`, its path
// defaulting to `path`), or else the built-in server, started in `server`
// on the run's server loop and CPU (checked first) where `where` says,
// serving `route`.
WsUrl url_or_builtin_ws_server(const std::string& url, const std::string& path,
                               const RunOptions& run, const Placement& where, bool tls,
                               ws::SessionOptions options, WsRoute route,
                               std::optional<BuiltinWsServer>& server);

// The client's SSL_CTX for wss://: verifying unless `insecure`, with
// `cacert` (or the system store), also trusting `trusted` when not null.
tls::SslCtxPtr ws_client_tls(bool insecure, const std::string& cacert, X509* trusted);

}  // namespace lb
