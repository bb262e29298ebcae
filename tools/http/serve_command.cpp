// `bench serve http`: the keep-alive server of bench http, in the
// foreground, until Ctrl-C.
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "tools/http/command.hpp"
#include "tools/http/server.hpp"
#include "tools/options/options.hpp"
#include "tools/options/size.hpp"
#include "tools/options/tls_options.hpp"
#include "tools/options/usage_error.hpp"
#include "tools/serve/serve_options.hpp"

namespace lb {
namespace {

struct ServeHttpOptions {
  ServeOptions serve;
  bool tls = false;
  std::string cert, key;
  double idle_timeout_s = 60;
  double close_probability = 0;
  std::string max_body = "1MiB";
  std::uint32_t max_streams = 128;
};

int serve_http_command(const ServeHttpOptions& o) {
  if (o.serve.threads < 1) throw UsageError("--threads must be at least 1");
  if (o.close_probability < 0 || o.close_probability > 1)
    throw UsageError("--close-probability must be between 0 and 1");
  HttpServeOptions serve;
  serve.loop = o.serve.loop;
  serve.bind = o.serve.bind;
  serve.port = port_option(o.serve.port);
  serve.threads = o.serve.threads;
  serve.cpu = o.serve.cpu;
  serve.server.idle_timeout = std::chrono::milliseconds(static_cast<long>(o.idle_timeout_s * 1000));
  serve.server.close_probability = o.close_probability;
  serve.server.limits.body = size_option("--max-body", o.max_body);
  if (o.max_streams < 1) throw UsageError("--max-streams must be at least 1");
  serve.server.max_streams = o.max_streams;
  const auto ctx = server_tls_option(o.tls, o.cert, o.key);
  serve.server.tls = ctx.get();
  const auto stats = serve_http(serve, [&](std::uint16_t port) {
    fmt::print("bench serve http: listening on {} ({}loop {}, {} thread(s)); Ctrl-C stops\n",
               Endpoint{o.serve.bind, port}.to_string(), ctx ? "https, " : "", o.serve.loop,
               o.serve.threads);
    std::fflush(stdout);
  });
  fmt::print(
      "bench serve http: {} connections ({} HTTP/2), {} requests, {} bad requests, {} idle "
      "closed, {} TLS handshakes failed\n",
      stats.connections, stats.http2_connections, stats.requests, stats.bad_requests,
      stats.idle_closed, stats.tls_failed);
  return 0;
}

}  // namespace

void register_serve_http(CLI::App* serve, CommandRunner& run) {
  auto o = std::make_shared<ServeHttpOptions>();
  auto* cmd = serve->add_subcommand(
      "http",
      "The HTTP keep-alive server: /1k, /20k, /200k, /bytes/N (N <= 64 MiB); HTTP/1.1, and "
      "HTTP/2 by prior knowledge (h2c) or by ALPN over --tls");
  add_serve_options(cmd, o->serve, 8080);
  cmd->add_option("--idle-timeout", o->idle_timeout_s,
                  "Close a connection that completes no request for this many seconds")
      ->transform(seconds_option())
      ->capture_default_str();
  cmd->add_option("--close-probability", o->close_probability,
                  "Testing aid: answer this fraction of requests with Connection: close (HTTP/2: "
                  "GOAWAY after that stream)")
      ->check(finite_number())
      ->capture_default_str();
  cmd->add_option("--max-streams", o->max_streams,
                  "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once")
      ->check(unsigned_count())
      ->capture_default_str();
  cmd->add_option("--max-body", o->max_body,
                  "Refuse a request whose declared or chunked body is larger (413)")
      ->capture_default_str();
  cmd->add_flag("--tls", o->tls, "https:// with a fresh self-signed certificate");
  cmd->add_option("--cert", o->cert, "PEM certificate for https://");
  cmd->add_option("--key", o->key, "PEM private key for https://");
  cmd->callback([o, &run] { run = [o] { return serve_http_command(*o); }; });
}

}  // namespace lb
