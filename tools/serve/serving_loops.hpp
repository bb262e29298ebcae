#pragma once
// A server on one or more loops of one kind, one thread each, all on one
// port: the first listener takes the port (any free one for port 0), the
// others join it through SO_REUSEPORT. Loops and servers are made on the
// calling thread, so setup errors surface before any thread starts; each
// thread only runs its loop.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/loop.hpp"

namespace lb {

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

class ServingLoops {
 public:
  // Throws on setup errors (an unknown loop, an address in use).
  ServingLoops(const std::string& loop_name, int threads, const Endpoint& at,
               const StartServer& start);
  ~ServingLoops();
  ServingLoops(const ServingLoops&) = delete;
  ServingLoops& operator=(const ServingLoops&) = delete;

  std::uint16_t port() const { return servings_.front().port; }
  // Runs every loop, the first on this thread, until SIGINT or SIGTERM.
  void run();
  // What the servers did, one part per loop when there are several.
  std::string summary() const;

 private:
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<ServingOn> servings_;
};

}  // namespace lb
