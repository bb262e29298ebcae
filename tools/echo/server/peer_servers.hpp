#pragma once
// The other echo servers bench echo drives with the same client
// (--servers), so a row compares a loop with a loop and the rest fixed:
// uvloop's vmbench servers on Python (asyncio or uvloop; protocol or
// streams API; tcp) and Node (net for tcp, node-ws for ws), in
// tools/peers/clients/.
#include <optional>
#include <string>
#include <vector>

#include "tools/echo/client/connection.hpp"

namespace lb {

struct PeerEchoServer {
  std::string name;                  // asyncio, asyncio-streams, uvloop, uvloop-streams, node
  std::string runtime;               // python | node
  std::vector<std::string> modules;  // what must load for it to run
  std::string install;               // how to get it
  std::vector<EchoTransport> transports;
};

const std::vector<PeerEchoServer>& peer_echo_servers();
// "builtin" and every peer's name, for --servers.
std::vector<std::string> echo_server_names();
const PeerEchoServer* find_peer_echo_server(const std::string& name);
// Empty when it can run `transport` here, else why not (for a note).
std::string peer_echo_server_unavailable(const PeerEchoServer& server, EchoTransport transport);
// The command line that serves `transport` on 127.0.0.1 (any port), pinned
// to `cpu` unless it is negative; it prints "listening on 127.0.0.1:PORT".
std::vector<std::string> peer_echo_server_argv(const PeerEchoServer& server,
                                               EchoTransport transport, int cpu);

}  // namespace lb
