#include "tools/net/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tools/options/usage_error.hpp"

namespace lb::net {
namespace {

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv)
    out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

UniqueFd current_network_namespace() {
  UniqueFd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd)
    throw std::runtime_error(std::string("open /proc/thread-self/ns/net: ") + std::strerror(errno));
  return fd;
}

UniqueFd new_network_namespace() {
  int error = 0;
  UniqueFd made;
  // unshare() moves the calling thread, so a thread of its own does it and
  // leaves the namespace held by the descriptor alone.
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      error = errno;
      return;
    }
    made.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!made) error = errno;
  }).join();
  if (error == EPERM)
    throw UsageError(
        "--net needs root (CAP_NET_ADMIN) to make network namespaces: unshare(CLONE_NEWNET): " +
        std::string(std::strerror(error)));
  if (error)
    throw std::runtime_error(std::string("unshare(CLONE_NEWNET): ") + std::strerror(error));
  return made;
}

void enter_network_namespace(int ns) {
  if (::setns(ns, CLONE_NEWNET) != 0)
    throw std::runtime_error(std::string("setns(CLONE_NEWNET): ") + std::strerror(errno));
}

void run_in(int ns, const std::vector<std::string>& argv) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  UniqueFd read_end(out[0]), write_end(out[1]);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::dup2(write_end.get(), 1);
    ::dup2(write_end.get(), 2);
    if (::setns(ns, CLONE_NEWNET) != 0) ::_exit(126);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  write_end.reset();
  std::string output;
  char buffer[512];
  for (ssize_t n; (n = ::read(read_end.get(), buffer, sizeof buffer)) > 0;)
    output.append(buffer, static_cast<std::size_t>(n));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string why =
      WIFEXITED(status) && WEXITSTATUS(status) == 127
          ? argv[0] + " not found (Debian package iproute2: bash tools/install-deps.sh)"
          : output;
  while (!why.empty() && why.back() == '\n')
    why.pop_back();
  throw std::runtime_error("`" + joined(argv) + "` failed: " + why);
}

bool write_sysctl(int ns, const std::string& path, const std::string& value) {
  return in_namespace(ns, [&] {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    return fd &&
           ::write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size());
  });
}

}  // namespace lb::net
