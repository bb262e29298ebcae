#include "tools/echo/fd_limit.hpp"

#ifndef _WIN32
#include <sys/resource.h>
#endif

#include <string>

#include "tools/options/usage_error.hpp"

namespace lb {
namespace {
constexpr std::uint64_t kMargin = 64;  // listeners, pipes, files, the loop's own
}

std::uint64_t raise_fd_limit() {
#ifdef _WIN32
  return UINT64_MAX;  // sockets are handles there: no per-process table to fill
#else
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
#endif
}

void check_fd_room(std::uint64_t connections, const char* who) {
  const std::uint64_t limit = raise_fd_limit();
  if (connections + kMargin <= limit) return;
  throw UsageError(std::string(who) + " needs " + std::to_string(connections + kMargin) +
                   " file descriptors for " + std::to_string(connections) +
                   " connections, but the limit here is " + std::to_string(limit) +
                   " (RLIMIT_NOFILE; raise the hard limit, e.g. ulimit -Hn)");
}

}  // namespace lb
