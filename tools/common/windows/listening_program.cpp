// Windows: a background program through CreateProcess, stopped with
// TerminateProcess: Windows has no SIGTERM for a console program that does
// not share our console group (tools/common/listening_program.hpp).
#include "tools/common/listening_program.hpp"

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tools/common/windows/process_handle.hpp"

namespace lb {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ListeningProgram::ListeningProgram(const std::vector<std::string>& argv,
                                   const std::string& log_path, std::chrono::milliseconds timeout)
    : log_path_(log_path) {
  {
    const auto in = win::inheritable_file("NUL", false);
    const auto log = win::inheritable_file(log_path, true);
    const auto info = win::start_process(argv, in.get(), log.get(), log.get());
    process_ = std::shared_ptr<void>(info.hProcess, win::HandleCloser{});
    pid_ = static_cast<pid_t>(info.dwProcessId);
  }
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string text = read_all(log_path);
    std::smatch m;
    if (std::regex_search(text, m, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      return;
    }
    const bool exited = ::WaitForSingleObject(process_.get(), 0) == WAIT_OBJECT_0;
    if (exited || std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error(argv[0] + (exited ? " exited" : " did not start listening") + ": " +
                               read_all(log_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ListeningProgram::~ListeningProgram() {
  stop();
}

void ListeningProgram::stop() {
  if (!process_) return;
  if (::WaitForSingleObject(process_.get(), 0) != WAIT_OBJECT_0) {
    ::TerminateProcess(process_.get(), 1);
    ::WaitForSingleObject(process_.get(), 5000);
  }
  process_.reset();
  pid_ = -1;
}

}  // namespace lb
