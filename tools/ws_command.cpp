// `bench ws` (WebSocket throughput per loop, ws:// or wss://), `bench serve
// ws` and `bench cert`.
#include <unistd.h>

#include <fmt/core.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "backends/registry.hpp"
#include "engine/lag_probe.hpp"
#include "protocols/tls/certificate.hpp"
#include "protocols/tls/tls_context.hpp"
#include "tools/command.hpp"
#include "tools/cpu.hpp"
#include "tools/measured_transfer.hpp"
#include "tools/peer_runner.hpp"
#include "tools/results.hpp"
#include "tools/server_process.hpp"
#include "tools/size.hpp"
#include "tools/stop_on_signal.hpp"
#include "tools/ws_bench.hpp"
#include "tools/ws_builtin.hpp"
#include "tools/ws_table.hpp"

namespace lb {
namespace {

struct WsOptions {
  std::string loop = "all";
  std::string server_loop = default_server_backend();
  std::string direction = "download";
  std::string total = "1GiB";
  std::string chunk = "64KiB";
  int send_queue = 128;
  int recv_queue = 512;
  std::string max_msg = "8MiB";
  bool tls = false;
  bool insecure = false;
  std::string cacert;
  std::string url;
  int repeat = 5;
  int warmup = 1;
  int server_cpu = -1;
  int client_cpu = -1;
  std::string json;
  double timeout_s = 10;
  std::string peers;
  bool peers_only = false;
};

// The built-in server's fresh certificate as a PEM file, so that peers
// verify it as our client does; removed with this object.
class TrustFile {
 public:
  explicit TrustFile(X509* cert) {
    if (!cert) return;
    path_ = (std::filesystem::temp_directory_path() /
             ("loopbench-trust-" + std::to_string(::getpid()) + ".pem"))
                .string();
    std::ofstream out(path_);
    out << tls::to_pem(cert);
    if (!out) throw std::runtime_error("cannot write " + path_);
  }
  ~TrustFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  TrustFile(const TrustFile&) = delete;
  TrustFile& operator=(const TrustFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

ws::SessionOptions session_options(const WsOptions& o) {
  ws::SessionOptions s;
  s.max_message = size_option("--max-msg", o.max_msg);
  s.send_queue = static_cast<std::size_t>(o.send_queue);
  return s;
}

int run_ws(const WsOptions& o) {
  const std::string started = utc_timestamp();
  const auto total = size_option("--total", o.total);
  const auto chunk = size_option("--chunk", o.chunk);
  if (total == 0) throw UsageError("--total must be more than 0 bytes");
  if (chunk == 0 || chunk > (16u << 20))
    throw UsageError("--chunk must be between 1 byte and 16 MiB");
  if (o.send_queue < 1 || o.recv_queue < 1) throw UsageError("queue bounds must be at least 1");
  if (o.repeat < 1 || o.warmup < 0) throw UsageError("--repeat must be >= 1 and --warmup >= 0");
  const auto options = session_options(o);
  if (chunk > options.max_message) throw UsageError("--chunk is larger than --max-msg");
  std::vector<std::string> directions;
  for (const char* d : {"download", "upload", "concurrent"})
    if (o.direction == d || o.direction == "all") directions.emplace_back(d);
  if (directions.empty())
    throw UsageError("--direction: unknown direction '" + o.direction +
                     "' (download, upload, concurrent or all)");
  std::vector<std::string> notes;
  const auto loops = select_backends(o.loop, notes);
  for (const auto& n : notes)
    std::fprintf(stderr, "bench: %s\n", n.c_str());
  const auto peers = select_peers("ws", o.peers);
  if (o.peers_only && peers.empty()) throw UsageError("--peers-only needs --peers");

  WsUrl target;
  std::optional<BuiltinWsServer> server;
  if (!o.url.empty()) {
    target = url_option(o.url, "/ws");
  } else {
    select_backends(o.server_loop, notes);
    server.emplace(o.server_loop, o.server_cpu, o.tls, options, ws_throughput_route());
    target = WsUrl{o.tls, "127.0.0.1", server->endpoint(), "/ws"};
  }
  pin_or_throw(o.client_cpu, "client");
  tls::SslCtxPtr client_ctx;
  if (target.tls)  // the built-in server's certificate is the one we made: trust exactly it
    client_ctx = ws_client_tls(o.insecure, o.cacert, server ? server->certificate() : nullptr);
  const TrustFile trust(server && !peers.empty() ? server->certificate() : nullptr);

  std::vector<RunResult> runs;
  std::uint64_t errors = 0;
  for (const auto& direction : directions) {
    for (const auto& loop_name : o.peers_only ? std::vector<std::string>{} : loops) {
      RunResult run;
      run.bench = "ws";
      run.loop = loop_name;
      run.mode = direction;
      run.size_bytes = total;
      run.tls = target.tls;
      run.params = {{"total_bytes", total},
                    {"chunk_bytes", chunk},
                    {"repeat", o.repeat},
                    {"warmup", o.warmup},
                    {"send_queue", o.send_queue},
                    {"recv_queue", o.recv_queue},
                    {"max_msg", options.max_message},
                    {"server_cpu", o.server_cpu},
                    {"client_cpu", o.client_cpu},
                    {"target", server ? "builtin" : o.url}};
      auto loop = make_loop(loop_name);
      for (int i = 0; i < o.warmup + o.repeat; ++i) {
        WsClientSpec spec;
        spec.server = target.endpoint;
        spec.host = target.host;
        spec.path = target.path;
        spec.tls = client_ctx.get();
        spec.test = {direction, total, static_cast<std::uint32_t>(chunk)};
        spec.options = options;
        spec.recv_queue = static_cast<std::size_t>(o.recv_queue);
        spec.idle_timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
        LagProbe lag(*loop);
        WsClientResult result;
        WsClientTransfer transfer(*loop, spec, [&](const WsClientResult& r) {
          result = r;
          loop->stop();
        });
        const CpuTimes used =
            run_measured(*loop, transfer, lag, "ws " + direction + " " + loop_name);
        ++run.connections;
        if (!result.error.empty()) {
          ++run.errors;
          run.error_messages.push_back(result.error);
          std::fprintf(stderr, "bench: ws %s %s: %s\n", direction.c_str(), loop_name.c_str(),
                       result.error.c_str());
          break;
        }
        if (i < o.warmup) continue;
        run.loop_lag_ns.merge(lag.lag_ns());
        run.repeats.push_back({result.duration_s, result.received + result.sent, result.messages,
                               used.user_s, used.sys_s});
      }
      errors += run.errors;
      runs.push_back(std::move(run));
    }
    for (const auto* peer : peers) {
      PeerWorkload w;
      w.row.bench = "ws";
      w.row.mode = direction;
      w.row.size_bytes = total;
      w.row.tls = target.tls;
      w.row.params = {{"total_bytes", total},
                      {"chunk_bytes", chunk},
                      {"repeat", o.repeat},
                      {"warmup", o.warmup},
                      {"server_cpu", o.server_cpu},
                      {"client_cpu", o.client_cpu},
                      {"target", server ? "builtin" : o.url}};
      const std::string url = fmt::format("{}://{}:{}{}", target.tls ? "wss" : "ws", target.host,
                                          target.endpoint.port, target.path);
      w.args = {"--url",     url,
                "--mode",    direction,
                "--total",   std::to_string(total),
                "--chunk",   std::to_string(chunk),
                "--repeat",  std::to_string(o.repeat),
                "--warmup",  std::to_string(o.warmup),
                "--timeout", fmt::format("{}", o.timeout_s)};
      if (o.insecure) w.args.push_back("--insecure");
      const std::string& cacert = !trust.path().empty() ? trust.path() : o.cacert;
      if (target.tls && !cacert.empty()) w.args.insert(w.args.end(), {"--cacert", cacert});
      for (auto& row : run_peer(*peer, w)) {
        errors += row.errors;
        runs.push_back(std::move(row));
      }
    }
  }
  if (server) server->stop();
  add_ours_over_peer(runs);
  print_ws_table(stdout, runs,
                 fmt::format("bench ws: {}{}; client CPU {}; chunk {}; send queue {} msgs; {} "
                             "repeats after {} warm-up",
                             target.tls ? "wss" : "ws",
                             server ? fmt::format(" built-in server (loop {}, CPU {})",
                                                  o.server_loop, o.server_cpu)
                                    : " " + o.url,
                             o.client_cpu, format_bytes(chunk), o.send_queue, o.repeat, o.warmup));
  if (!o.json.empty()) write_results_file(o.json, runs, started);
  return errors ? 1 : 0;
}

int serve_ws(const WsOptions& o, const std::string& bind, int port, const std::string& cert,
             const std::string& key) {
  if (port < 0 || port > 65535) throw UsageError("--port must be 0..65535");
  if (cert.empty() != key.empty()) throw UsageError("--cert and --key go together");
  std::vector<std::string> notes;
  select_backends(o.server_loop, notes);
  pin_or_throw(o.server_cpu, "server");
  tls::SslCtxPtr ctx;
  if (!cert.empty())
    ctx = tls::make_server_context(tls::load_pem(cert, key));
  else if (o.tls)
    ctx = tls::make_server_context(tls::make_self_signed());
  auto loop = make_loop(o.server_loop);
  WsServer server(*loop, ctx.get(), session_options(o), ws_throughput_route());
  server.listen(Endpoint{bind, static_cast<std::uint16_t>(port)});
  StopOnSignal stop(*loop);
  fmt::print("bench serve ws: listening on {} ({}, loop {}); Ctrl-C stops\n",
             Endpoint{bind, server.port()}.to_string(), ctx ? "wss" : "ws", o.server_loop);
  std::fflush(stdout);
  loop->run();
  fmt::print("bench serve ws: {} sessions served, {} failed\n", server.served(), server.failed());
  return 0;
}

}  // namespace

void register_ws_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<WsOptions>();
  auto* cmd = app.add_subcommand(
      "ws", "WebSocket throughput per loop: download, upload, concurrent; ws:// or wss://");
  cmd->add_option("--loop", o->loop, "Client loop(s): epoll, libuv, uring, list, all")
      ->capture_default_str();
  cmd->add_option("--direction", o->direction, "download, upload, concurrent or all")
      ->capture_default_str();
  cmd->add_option("--total", o->total, "Payload bytes per direction and repeat")
      ->capture_default_str();
  cmd->add_option("--chunk", o->chunk, "Bytes per message")->capture_default_str();
  cmd->add_option("--send-queue", o->send_queue, "Messages queued before the sender waits")
      ->capture_default_str();
  cmd->add_option("--recv-queue", o->recv_queue,
                  "Received messages waiting for the consumer before reading pauses")
      ->capture_default_str();
  cmd->add_option("--max-msg", o->max_msg, "Largest message accepted (1009 beyond)")
      ->capture_default_str();
  cmd->add_flag("--tls", o->tls, "wss:// to the built-in server (fresh self-signed certificate)");
  cmd->add_flag("--insecure", o->insecure, "Do not verify the server's certificate");
  cmd->add_option("--cacert", o->cacert, "Trust this CA file (PEM) for wss://");
  cmd->add_option("--url", o->url, "ws(s)://HOST:PORT/ws of another server");
  cmd->add_option("--repeat", o->repeat, "Counted repeats")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Warm-up repeats, not counted")->capture_default_str();
  cmd->add_option("--server-cpu", o->server_cpu, "Pin the built-in server to this CPU");
  cmd->add_option("--client-cpu", o->client_cpu, "Pin the client to this CPU");
  cmd->add_option("--server-loop", o->server_loop, "Loop of the built-in server")
      ->capture_default_str();
  cmd->add_option("--json", o->json, "Write results to FILE (schema loopbench.results/1)");
  cmd->add_option("--timeout", o->timeout_s, "Fail after this many seconds without progress")
      ->capture_default_str();
  cmd->add_option("--peers", o->peers,
                  "Also run other clients on the same transfer: websockets, aiohttp, node-ws "
                  "(comma list) or all");
  cmd->add_flag("--peers-only", o->peers_only, "Run only the --peers clients, not ours");
  cmd->callback([o, &run] { run = [o] { return run_ws(*o); }; });
}

void register_serve_ws(CLI::App* serve, CommandRunner& run) {
  struct Extra {
    WsOptions ws;
    std::string bind = "127.0.0.1";
    int port = 8765;
    std::string cert, key;
  };
  auto o = std::make_shared<Extra>();
  auto* cmd = serve->add_subcommand("ws", "The WebSocket server: /ws?test=...&total=...&chunk=...");
  cmd->add_option("--loop", o->ws.server_loop, "Server loop")->capture_default_str();
  cmd->add_option("--port", o->port, "Port (0: any free port)")->capture_default_str();
  cmd->add_option("--bind", o->bind, "Address to bind")->capture_default_str();
  cmd->add_option("--cpu", o->ws.server_cpu, "Pin the server to this CPU");
  cmd->add_flag("--tls", o->ws.tls, "wss:// with a fresh self-signed certificate");
  cmd->add_option("--cert", o->cert, "PEM certificate for wss://");
  cmd->add_option("--key", o->key, "PEM private key for wss://");
  cmd->add_option("--max-msg", o->ws.max_msg, "Largest message accepted")->capture_default_str();
  cmd->add_option("--send-queue", o->ws.send_queue, "Messages queued before sending waits")
      ->capture_default_str();
  cmd->callback(
      [o, &run] { run = [o] { return serve_ws(o->ws, o->bind, o->port, o->cert, o->key); }; });
}

void register_cert_command(CLI::App& app, CommandRunner& run) {
  auto dir = std::make_shared<std::string>(".");
  auto* cmd = app.add_subcommand(
      "cert", "Write a self-signed localhost certificate and key (cert.pem, key.pem)");
  cmd->add_option("--out", *dir, "Directory to write into")->capture_default_str();
  cmd->callback([dir, &run] {
    run = [dir] {
      const std::string cert = *dir + "/cert.pem", key = *dir + "/key.pem";
      tls::write_pem(tls::make_self_signed(), cert, key);
      fmt::print("wrote {} and {} (CN=localhost, SAN localhost, 127.0.0.1, ::1)\n", cert, key);
      return 0;
    };
  });
}

}  // namespace lb
