#include "tools/common/serve_options.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "backends/registry.hpp"
#include "tools/common/options.hpp"
#include "tools/common/stop_on_signal.hpp"

namespace lb {

void add_serve_options(CLI::App* cmd, ServeOptions& o, int default_port) {
  o.loop = default_server_backend();
  o.port = default_port;
  cmd->add_option("--loop", o.loop, "Server loop: epoll, libuv or uring")->capture_default_str();
  cmd->add_option("--port", o.port, "Port (0: any free port)")->capture_default_str();
  cmd->add_option("--bind", o.bind, "Address to bind")->capture_default_str();
  cmd->add_option("--cpu", o.cpu, "Pin the server to this CPU");
}

int serve_foreground(const ServeOptions& o, const std::string& name, const std::string& details,
                     const StartServer& start) {
  const auto port = port_option(o.port);
  std::vector<std::string> notes;
  select_backends(o.loop, notes);  // a clear error for an unknown or unusable loop
  pin_or_throw(o.cpu, "server");
  auto loop = make_loop(o.loop);
  const ServingOn serving = start(*loop, Endpoint{o.bind, port});
  StopOnSignal stop(*loop);
  fmt::print("bench {}: listening on {} ({}); Ctrl-C stops\n", name,
             Endpoint{o.bind, serving.port}.to_string(), details);
  std::fflush(stdout);
  loop->run();
  if (serving.summary) fmt::print("bench {}: {}\n", name, serving.summary());
  return 0;
}

}  // namespace lb
