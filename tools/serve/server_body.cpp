// The bodies of built-in servers (server_body.hpp), the
// same on every system.
#include <cstdio>

#include "tools/options/options.hpp"
#include "tools/process/placement.hpp"
#include "tools/serve/server_body.hpp"
#include "tools/serve/serving_loops.hpp"

namespace lb {

ServerProcess::Body guarded_server_body(const Placement& where, ServerProcess::Body body) {
  return [enter = where.enter_server_side,
          body = std::move(body)](const std::function<void(std::uint16_t)>& ready) {
    try {
      if (enter) enter();
      return body(ready);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench: server: %s\n", e.what());
      return 1;
    }
  };
}

ServerProcess::Body loop_server_body(const Placement& where, std::string loop_name, int cpu,
                                     StartServer start, int threads) {
  return guarded_server_body(
      where, [host = where.server_host, loop_name = std::move(loop_name), cpu,
              start = std::move(start), threads](const std::function<void(std::uint16_t)>& ready) {
        pin_or_throw(cpu, "server");
        ServingLoops serving(loop_name, threads, Endpoint{host, 0}, start);
        ready(serving.port());
        serving.run();
        return 0;
      });
}

}  // namespace lb
