#pragma once
// Network namespaces held by file descriptors, and running code or commands
// inside one: a thread that enters it (sockets keep the namespace they were
// made in), or a child process that enters it before exec.
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "engine/unique_fd.hpp"

namespace lb::net {

// A new, empty network namespace (only a down `lo`). Throws UsageError when
// the process may not make one (no CAP_NET_ADMIN).
UniqueFd new_network_namespace();
// The calling thread's.
UniqueFd current_network_namespace();
// Moves the calling thread into `ns`; throws std::runtime_error.
void enter_network_namespace(int ns);
// Runs argv in `ns` (argv[0] searched in PATH) and waits; throws
// std::runtime_error with the command and its output when it fails.
void run_in(int ns, const std::vector<std::string>& argv);
// Writes `value` to a /proc/sys/net file of `ns`; false when it is missing.
bool write_sysctl(int ns, const std::string& path, const std::string& value);

// Runs f() on a thread inside `ns` and returns what it returns (its
// exception is rethrown here).
template <class F>
auto in_namespace(int ns, F f) -> decltype(f()) {
  std::exception_ptr error;
  if constexpr (std::is_void_v<decltype(f())>) {
    std::thread([&] {
      try {
        enter_network_namespace(ns);
        f();
      } catch (...) {
        error = std::current_exception();
      }
    }).join();
    if (error) std::rethrow_exception(error);
  } else {
    decltype(f()) out{};
    std::thread([&] {
      try {
        enter_network_namespace(ns);
        out = f();
      } catch (...) {
        error = std::current_exception();
      }
    }).join();
    if (error) std::rethrow_exception(error);
    return out;
  }
}

}  // namespace lb::net
