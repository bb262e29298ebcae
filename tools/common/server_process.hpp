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

// A server started on one loop: what it keeps alive while it serves, its
// port, and (for `bench serve`) a line that says what it did, read after
// the loop stopped.
struct ServingOn {
  std::shared_ptr<void> server;
  std::uint16_t port = 0;
  std::function<std::string()> summary;
};
// Where one of a server's loops listens. Several loops serving one port
// each have a listener of their own (SO_REUSEPORT) and the kernel spreads
// the connections over them.
struct ListenAt {
  Endpoint endpoint;
  bool reuse_port = false;
};
// Starts a server listening at `at` on `loop`; throws on setup errors.
using StartServer = std::function<ServingOn(Loop& loop, const ListenAt& at)>;

// The body of a child serving on `threads` loops: pins itself to `cpu`
// (-1: no), makes the loops, lets start() listen on 127.0.0.1 (any port),
// reports the port and runs until SIGINT or SIGTERM. A setup error is
// printed as "bench: server: ..." and is exit status 1.
ServerProcess::Body loop_server_body(std::string loop_name, int cpu, StartServer start,
                                     int threads = 1);

// The same body around a function that does all of that itself (a server
// with several loop threads); its exceptions become exit status 1.
ServerProcess::Body guarded_server_body(ServerProcess::Body body);

}  // namespace lb
