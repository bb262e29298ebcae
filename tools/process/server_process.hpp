#pragma once
// A benchmark server in a forked child process, so that server and client
// are separate processes (pinned to separate CPUs when asked) exactly as
// with an external server. The parent learns the port through a pipe.
// Windows has no fork(): there the server runs on a thread of its own
// (windows/server_process.cpp), pinned when asked, its CPU time counted
// apart from the client's, stopped as a child would be.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/loop.hpp"
#include "tools/process/cpu.hpp"

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
  // The child's pid; -1 on Windows, where the server is not a process.
  pid_t pid() const { return pid_; }
  // The server's CPU time so far (cpu_seconds_of the child; Windows: of its
  // thread); nullopt once it is gone.
  std::optional<double> cpu_seconds() const;
  // The server's resident set (memory_of the child); nullopt on Windows,
  // where it shares the client's.
  std::optional<MemoryKib> memory() const;
  // SIGTERM, then SIGKILL if it has not exited within 5 s. Returns the exit
  // status as waitpid() reports it; idempotent.
  int stop();

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int status_ = 0;
  std::shared_ptr<struct ServingThread> thread_;  // Windows
};

}  // namespace lb
