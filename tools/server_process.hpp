#pragma once
// A benchmark server in a forked child process, so that server and client
// are separate processes (pinned to separate CPUs when asked) exactly as
// with an external server. The parent learns the port through a pipe.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>

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

}  // namespace lb
