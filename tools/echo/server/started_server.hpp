#pragma once
// The echo server a bench echo row drives when it has no --url: our own
// (tcp on its loops, ws and wss through the WebSocket server) or a peer's
// program, with what the system tells of it (CPU time, memory).
#include <sys/types.h>

#include <optional>

#include "engine/endpoint.hpp"
#include "tools/process/cpu.hpp"
#include "tools/process/listening_program.hpp"
#include "tools/process/placement.hpp"
#include "tools/process/server_process.hpp"
#include "tools/serve/serving_loops.hpp"
#include "tools/ws/builtin.hpp"

namespace lb {

// The server of one transport that we started (ours or a peer's), with its
// side channels: CPU time and memory read from /proc.
struct StartedEchoServer {
  std::string host = kLoopbackHost;  // where tcp and peer servers listen
  std::optional<ServerProcess> tcp;
  std::optional<BuiltinWsServer> ws;
  std::optional<ListeningProgram> peer;
  bool started() const { return tcp || ws || peer; }
  pid_t pid() const { return tcp ? tcp->pid() : ws ? ws->pid() : peer ? peer->pid() : -1; }
  Endpoint endpoint() const;
  std::optional<double> cpu_seconds() const;
  std::optional<MemoryKib> memory() const;
  void stop();
};

// Starts bench echo's tcp server (TcpEchoServer) on `loop`, for
// loop_server_body and `bench serve echo`.
ServingOn start_tcp_echo(Loop& loop, const ListenAt& at);

}  // namespace lb
