#pragma once
// Turns a loop name into a Loop: knows which backends were compiled in and
// whether each works on this machine (io_uring may be disabled by sysctl or
// seccomp). The one place tools/ reaches into backends/.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/loop.hpp"

namespace lb {

struct BackendStatus {
  std::string name;
  bool usable = false;
  std::string why_not;     // set when !usable
  std::string mechanisms;  // the kernel or library features it uses
};

// Every compiled backend, in the order --loop=all runs them.
std::vector<BackendStatus> backend_statuses();
std::vector<std::string> compiled_backend_names();
// The loop servers use unless told otherwise: epoll where it is compiled in,
// otherwise the first compiled backend.
std::string default_server_backend();

// Thrown for an unknown or unusable loop name; what() is one clear line.
class BackendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "epoll", "libuv", "uring", "all" or a comma list -> the backends to run.
// Unknown names throw. A named backend that does not work here throws; with
// "all" it is skipped and a note is appended to `notes`.
std::vector<std::string> select_backends(std::string_view spec, std::vector<std::string>& notes);

// Library name -> version of what the compiled backends link (libuv's at run
// time; liburing's as built, since liburing 2.3 cannot tell its own).
std::vector<std::pair<std::string, std::string>> backend_library_versions();

BackendFactory backend_factory(std::string_view name);
std::unique_ptr<Loop> make_loop(std::string_view name);

// A loop resolved once from its name: what rows call it, and the factory
// that makes one of it, on any thread and as often as needed, without
// asking the registry again.
struct LoopKind {
  std::string name;
  BackendFactory factory;
  std::unique_ptr<Loop> make() const { return std::make_unique<Loop>(factory); }
};
// One name (throws BackendError as backend_factory does).
LoopKind resolve_loop(std::string_view name);
// select_backends, resolved.
std::vector<LoopKind> resolve_loops(std::string_view spec, std::vector<std::string>& notes);
std::vector<std::string> names_of(const std::vector<LoopKind>& loops);

}  // namespace lb
