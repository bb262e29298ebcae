#include "tools/serve/serve_options.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "backends/registry.hpp"
#include "tools/options/options.hpp"
#include "tools/options/subcommand.hpp"
#include "tools/serve/serving_loops.hpp"

namespace lb {

void add_serve_options(CLI::App* cmd, ServeOptions& o, int default_port) {
  o.loop = default_server_backend();
  o.port = default_port;
  cmd->add_option("--loop", o.loop, "Server loop: epoll, libuv or uring")->capture_default_str();
  cmd->add_option("--port", o.port, "Port (0: any free port)")->capture_default_str();
  cmd->add_option("--bind", o.bind, "Address to bind")->capture_default_str();
  cmd->add_option("--cpu,--server-cpu", o.cpu, "Pin the server to this CPU")->check(cpu_option());
  cmd->add_option("--threads", o.threads,
                  "Loop threads, each with its own listener on the port (SO_REUSEPORT)")
      ->capture_default_str();
}

int serve_foreground(const ServeOptions& o, const std::string& name, const std::string& details,
                     const StartServer& start) {
  const auto port = port_option(o.port);
  std::vector<std::string> notes;
  select_backends(o.loop, notes);  // a clear error for an unknown or unusable loop
  if (o.threads < 1) throw UsageError("--threads must be at least 1");
  pin_or_throw(o.cpu, "server");
  ServingLoops serving(o.loop, o.threads, Endpoint{o.bind, port}, start);
  fmt::print("bench {}: listening on {} ({}{}); Ctrl-C stops\n", name,
             Endpoint{o.bind, serving.port()}.to_string(), details,
             o.threads > 1 ? fmt::format(", {} loop threads", o.threads) : "");
  std::fflush(stdout);
  serving.run();
  if (const auto summary = serving.summary(); !summary.empty())
    fmt::print("bench {}: {}\n", name, summary);
  return 0;
}

}  // namespace lb
