#include "tools/echo/server/started_server.hpp"

#include <fmt/core.h>

#include <memory>

#include "tools/echo/server/tcp_echo_server.hpp"
#include "tools/options/size.hpp"

namespace lb {

Endpoint StartedEchoServer::endpoint() const {
  if (ws) return ws->endpoint();
  return Endpoint{host, tcp ? tcp->port() : peer->port()};
}

std::optional<double> StartedEchoServer::cpu_seconds() const {
  if (tcp) return tcp->cpu_seconds();
  if (ws) return ws->cpu_seconds();
  return cpu_seconds_of(pid());
}
std::optional<MemoryKib> StartedEchoServer::memory() const {
  if (tcp) return tcp->memory();
  if (ws) return ws->memory();
  return memory_of(pid());
}
void StartedEchoServer::stop() {
  if (tcp) tcp->stop();
  if (ws) ws->stop();
  if (peer) peer->stop();
}

ServingOn start_tcp_echo(Loop& loop, const ListenAt& at) {
  auto server = std::make_shared<TcpEchoServer>(loop);
  server->listen(at.endpoint, at.reuse_port);
  return {server, server->port(), [server] {
            return fmt::format("{} connections, {} failed, {} echoed", server->connections(),
                               server->failed(), format_bytes(server->bytes_echoed()));
          }};
}

}  // namespace lb
