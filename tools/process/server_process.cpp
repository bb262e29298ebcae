#include "tools/process/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "engine/unique_fd.hpp"
#include "tools/process/interruption.hpp"

namespace lb {

ServerProcess::ServerProcess(const Body& body, std::chrono::milliseconds startup_timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  std::fflush(nullptr);  // or the child would flush our buffered output again
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    default_stop_signals();  // a measuring command's Ctrl-C handler is not the server's
#ifdef __linux__
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the benchmark
#endif
    read_end.reset();
    const int fd = write_end.get();
    const int rc = body([fd](std::uint16_t port) { (void)!::write(fd, &port, sizeof port); });
    std::fflush(nullptr);
    ::_exit(rc);
  }
  write_end.reset();
  pollfd p{read_end.get(), POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(startup_timeout.count()));
  std::uint16_t port = 0;
  if (ready == 1 && ::read(read_end.get(), &port, sizeof port) == sizeof port) {
    port_ = port;
    return;
  }
  const int status = stop();
  if (ready == 0) throw std::runtime_error("the benchmark server did not start in time");
  throw std::runtime_error("the benchmark server failed to start (exit status " +
                           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
}

ServerProcess::~ServerProcess() {
  stop();
}

std::optional<double> ServerProcess::cpu_seconds() const {
  return pid_ > 0 ? cpu_seconds_of(pid_) : std::nullopt;
}

std::optional<MemoryKib> ServerProcess::memory() const {
  return pid_ > 0 ? memory_of(pid_) : std::nullopt;
}

int ServerProcess::stop() {
  if (pid_ <= 0) return status_;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
      pid_ = -1;
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  pid_ = -1;
  return status_;
}

}  // namespace lb
