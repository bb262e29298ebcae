#pragma once
// Another program serving in the background (a peer's echo server): its
// output goes to a log file, it is known by the port of the first
// "listening on 127.0.0.1:PORT" line it prints, and it is stopped with
// SIGTERM (SIGKILL after 5 s; Windows: TerminateProcess) when this goes out
// of scope.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/process/background_process.hpp"

namespace lb {

class ListeningProgram {
 public:
  // argv[0] is searched in PATH. Throws std::runtime_error, with what the
  // program printed, when it cannot start, exits, or says nothing of the
  // kind within `timeout`.
  ListeningProgram(const std::vector<std::string>& argv, const std::string& log_path,
                   std::chrono::milliseconds timeout);

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  void stop() { process_.stop(); }

 private:
  std::string log_path_;
  BackgroundProcess process_;
  std::uint16_t port_ = 0;
};

}  // namespace lb
