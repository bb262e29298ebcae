#pragma once
// Another program running beside bench, its output in a log file: started,
// asked whether it is still there, and stopped. POSIX (posix_spawn, SIGTERM
// then SIGKILL) in background_process.cpp; Windows (CreateProcess,
// TerminateProcess) in windows/background_process.cpp.
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace lb {

class BackgroundProcess {
 public:
  // argv[0] is searched in PATH; stdin is empty, stdout and stderr go to
  // `log_path`. Throws std::runtime_error when it cannot start.
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool exited();
  // Ends it (politely first where the system can ask: SIGTERM, then SIGKILL
  // after 5 s) and waits for it; idempotent.
  void stop();

 private:
  pid_t pid_ = -1;
  std::shared_ptr<void> handle_;  // Windows: the process handle
};

}  // namespace lb
