// Windows: a background program through CreateProcess, ended with
// TerminateProcess: a console program that does not share our console has
// no SIGTERM to ask it with (tools/process/background_process.hpp).
#include "tools/process/background_process.hpp"

#include "tools/process/windows/process_handle.hpp"

namespace lb {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::string& log_path) {
  const auto in = win::inheritable_file("NUL", false);
  const auto log = win::inheritable_file(log_path, true);
  const auto info = win::start_process(argv, in.get(), log.get(), log.get());
  handle_ = std::shared_ptr<void>(info.hProcess, win::HandleCloser{});
  pid_ = static_cast<pid_t>(info.dwProcessId);
}

BackgroundProcess::~BackgroundProcess() {
  stop();
}

bool BackgroundProcess::exited() {
  return !handle_ || ::WaitForSingleObject(handle_.get(), 0) == WAIT_OBJECT_0;
}

void BackgroundProcess::stop() {
  if (!handle_) return;
  if (!exited()) {
    ::TerminateProcess(handle_.get(), 1);
    ::WaitForSingleObject(handle_.get(), 5000);
  }
  handle_.reset();
  pid_ = -1;
}

}  // namespace lb
