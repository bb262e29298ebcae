#pragma once
// The HTTP benchmark server as a process: N loop threads sharing one port
// through SO_REUSEPORT, until SIGINT or SIGTERM. Used by `bench serve http`
// and, in a child process, by `bench http` itself.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "protocols/http/http_server.hpp"

namespace lb {

struct HttpServeOptions {
  std::string loop;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;
  int threads = 1;
  int cpu = -1;
  http::ServerOptions server;
};

// Calls ready(port) once every thread listens; returns when signalled.
// Throws on setup errors (address in use, unknown loop).
http::ServerStats serve_http(const HttpServeOptions& options,
                             const std::function<void(std::uint16_t)>& ready);

}  // namespace lb
