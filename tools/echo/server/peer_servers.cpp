#include "tools/echo/server/peer_servers.hpp"

#include <filesystem>

#include "tools/peers/runner.hpp"

namespace lb {

const std::vector<PeerEchoServer>& peer_echo_servers() {
  using T = EchoTransport;
  static const std::vector<PeerEchoServer> all = {
      {"asyncio", "python", {"asyncio"}, "python3 (Debian)", {T::tcp}},
      {"asyncio-streams", "python", {"asyncio"}, "python3 (Debian)", {T::tcp}},
      {"uvloop", "python", {"uvloop"}, "apt-get install python3-uvloop", {T::tcp}},
      {"uvloop-streams", "python", {"uvloop"}, "apt-get install python3-uvloop", {T::tcp}},
      {"node", "node", {"net", "ws"}, "apt-get install nodejs node-ws", {T::tcp, T::ws}},
  };
  return all;
}

std::vector<std::string> echo_server_names() {
  std::vector<std::string> names{"builtin"};
  for (const auto& s : peer_echo_servers())
    names.push_back(s.name);
  return names;
}

const PeerEchoServer* find_peer_echo_server(const std::string& name) {
  for (const auto& s : peer_echo_servers())
    if (s.name == name) return &s;
  return nullptr;
}

std::string peer_echo_server_unavailable(const PeerEchoServer& server, EchoTransport transport) {
  bool serves = false;
  for (auto t : server.transports)
    serves = serves || t == transport;
  if (!serves) return std::string("serves no ") + transport_name(transport);
  for (const auto& module : server.modules)
    if (!importable(server.runtime, module)) return "not installed (" + server.install + ")";
  return {};
}

std::vector<std::string> peer_echo_server_argv(const PeerEchoServer& server,
                                               EchoTransport transport, int cpu) {
  std::vector<std::string> argv;
  if (cpu >= 0) argv = {"taskset", "-c", std::to_string(cpu)};
  for (auto& a : runtime_argv(server.runtime))
    argv.push_back(a);
  const auto dir = std::filesystem::path(peers_dir());
  if (server.runtime == "node") {
    argv.insert(argv.end(),
                {(dir / "echo_server_node.js").string(), "--transport", transport_name(transport)});
  } else {
    const bool uvloop = server.name.rfind("uvloop", 0) == 0;
    const bool streams = server.name.find("-streams") != std::string::npos;
    argv.insert(argv.end(),
                {(dir / "echo_server.py").string(), "--loop", uvloop ? "uvloop" : "asyncio",
                 "--api", streams ? "streams" : "protocol"});
  }
  return argv;
}

}  // namespace lb
