// `bench serve tcp|http`: a benchmark server alone, until Ctrl-C.
#include <fmt/core.h>

#include <cstdio>

#include "backends/registry.hpp"
#include "tools/command.hpp"
#include "tools/http_serve.hpp"

namespace lb {
namespace {

struct ServeOptions {
  std::string loop = default_server_backend();
  std::string bind = "127.0.0.1";
  int port = 0;
  int cpu = -1;
  int threads = 1;
  double idle_timeout_s = 60;
  double close_probability = 0;
};

void add_common(CLI::App* cmd, ServeOptions& o, int default_port) {
  o.port = default_port;
  cmd->add_option("--loop", o.loop, "Server loop: epoll, libuv or uring")->capture_default_str();
  cmd->add_option("--port", o.port, "Port (0: any free port)")->capture_default_str();
  cmd->add_option("--bind", o.bind, "Address to bind")->capture_default_str();
  cmd->add_option("--cpu", o.cpu, "Pin the server to this CPU");
}

int serve_http_command(const ServeOptions& o) {
  if (o.port < 0 || o.port > 65535) throw UsageError("--port must be 0..65535");
  if (o.threads < 1) throw UsageError("--threads must be at least 1");
  if (o.close_probability < 0 || o.close_probability > 1)
    throw UsageError("--close-probability must be between 0 and 1");
  HttpServeOptions serve;
  serve.loop = o.loop;
  serve.bind = o.bind;
  serve.port = static_cast<std::uint16_t>(o.port);
  serve.threads = o.threads;
  serve.cpu = o.cpu;
  serve.server.idle_timeout = std::chrono::milliseconds(static_cast<long>(o.idle_timeout_s * 1000));
  serve.server.close_probability = o.close_probability;
  const auto stats = serve_http(serve, [&](std::uint16_t port) {
    fmt::print("bench serve http: listening on {} (loop {}, {} thread(s)); Ctrl-C stops\n",
               Endpoint{o.bind, port}.to_string(), o.loop, o.threads);
    std::fflush(stdout);
  });
  fmt::print("bench serve http: {} connections, {} requests, {} bad requests, {} idle closed\n",
             stats.connections, stats.requests, stats.bad_requests, stats.idle_closed);
  return 0;
}

}  // namespace

void register_serve_command(CLI::App& app, CommandRunner& run) {
  auto* serve = app.add_subcommand("serve", "Run a benchmark server alone");
  serve->require_subcommand(1);

  auto tcp_options = std::make_shared<ServeOptions>();
  auto* tcp = serve->add_subcommand("tcp", "The 'bench tcp' server");
  add_common(tcp, *tcp_options, 5201);
  tcp->callback([tcp_options, &run] {
    run = [o = tcp_options] { return serve_tcp(o->loop, o->bind, o->port, o->cpu); };
  });

  auto http_options = std::make_shared<ServeOptions>();
  auto* http = serve->add_subcommand(
      "http", "The HTTP/1.1 keep-alive server: /1k, /20k, /200k, /bytes/N (N <= 64 MiB)");
  add_common(http, *http_options, 8080);
  http->add_option("--threads", http_options->threads,
                   "Loop threads sharing the port (SO_REUSEPORT)")
      ->capture_default_str();
  http->add_option("--idle-timeout", http_options->idle_timeout_s,
                   "Close a connection that completes no request for this many seconds")
      ->capture_default_str();
  http->add_option("--close-probability", http_options->close_probability,
                   "Testing aid: answer this fraction of requests with Connection: close")
      ->capture_default_str();
  http->callback(
      [http_options, &run] { run = [o = http_options] { return serve_http_command(*o); }; });

  register_serve_ws(serve, run);
}

}  // namespace lb
