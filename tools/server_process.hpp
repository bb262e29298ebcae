#pragma once
// A benchmark server in a forked child process, so that server and client
// are separate processes (pinned to separate CPUs when asked) exactly as
// with an external server. The parent learns the port through a pipe.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/loop.hpp"

namespace lb {

class ServerProcess {
 public:
  // Runs in the child. It calls ready(port) once it listens, then serves
  // until SIGTERM; its return value is the child's exit code.
  using Body = std::function<int(const std::function<void(std::uint16_t)>& ready)>;

  // Throws std::runtime_error if the child exits or stays silent past
  // `startup_timeout` (the child prints its own reason to stderr).
  ServerProcess(const Body& body, std::chrono::milliseconds startup_timeout);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM, then SIGKILL if it has not exited within 5 s. Returns the exit
  // status as waitpid() reports it; idempotent.
  int stop();

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int status_ = 0;
};

// What a server on one loop keeps alive while it serves, and its port.
struct ServingOn {
  std::shared_ptr<void> server;
  std::uint16_t port = 0;
};

// The body of a child serving on one loop: pins itself to `cpu` (-1: no),
// makes the loop, lets make(loop) start its server on 127.0.0.1 (any port),
// reports the port and runs until SIGINT or SIGTERM. A setup error is
// printed as "bench: server: ..." and is exit status 1.
ServerProcess::Body loop_server_body(std::string loop_name, int cpu,
                                     std::function<ServingOn(Loop&)> make);

}  // namespace lb
