#include "tools/http/server.hpp"

#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "backends/registry.hpp"
#include "tools/common/options.hpp"
#include "tools/common/stop_on_signal.hpp"

namespace lb {

http::ServerStats serve_http(const HttpServeOptions& o,
                             const std::function<void(std::uint16_t)>& ready) {
  if (o.threads < 1) throw std::invalid_argument("--threads must be at least 1");
  std::vector<std::string> notes;
  select_backends(o.loop, notes);
  pin_or_throw(o.cpu, "server");
  const http::Routes routes;
  // Loops and servers are made here, on this thread, so setup errors
  // surface before any thread starts; each thread only runs its loop.
  std::vector<std::unique_ptr<Loop>> loops;
  std::vector<std::unique_ptr<http::Server>> servers;
  std::uint16_t port = o.port;
  for (int i = 0; i < o.threads; ++i) {
    loops.push_back(make_loop(o.loop));
    servers.push_back(std::make_unique<http::Server>(*loops.back(), routes, o.server));
    servers.back()->listen(Endpoint{o.bind, port}, o.threads > 1);
    port = servers.back()->port();  // port 0: the others join the first's
  }
  StopOnSignal stop([&loops] {
    for (auto& l : loops)
      l->stop_from_any_thread();
  });
  ready(port);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops.size(); ++i)
    threads.emplace_back([&, i] { loops[i]->run(); });
  loops[0]->run();
  for (auto& t : threads)
    t.join();
  http::ServerStats total;
  for (const auto& s : servers) {
    total.connections += s->stats().connections;
    total.requests += s->stats().requests;
    total.bad_requests += s->stats().bad_requests;
    total.idle_closed += s->stats().idle_closed;
  }
  servers.clear();
  return total;
}

}  // namespace lb
