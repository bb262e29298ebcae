// `bench stream generate | serve | client`: verified streaming of a data
// file over WebSocket, SHA-256 checked end to end.
#include <unistd.h>

#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "backends/registry.hpp"
#include "engine/lag_probe.hpp"
#include "protocols/tls/tls_context.hpp"
#include "tools/command.hpp"
#include "tools/cpu.hpp"
#include "tools/data_file.hpp"
#include "tools/measured_transfer.hpp"
#include "tools/results.hpp"
#include "tools/server_process.hpp"
#include "tools/size.hpp"
#include "tools/stop_on_signal.hpp"
#include "tools/stream_table.hpp"
#include "tools/stream_transfer.hpp"
#include "tools/ws_builtin.hpp"

namespace lb {
namespace {

// ---------------------------------------------------------------- generate

int run_generate(const std::string& file, const std::string& size_text, bool force) {
  const auto size = size_option("--size", size_text);
  if (size == 0) throw UsageError("--size must be more than 0 bytes");
  const bool tty = ::isatty(2) == 1;
  const auto start = std::chrono::steady_clock::now();
  auto last_draw = start;
  const auto report = generate_data_file(file, size, force, [&](std::uint64_t written) {
    const auto now = std::chrono::steady_clock::now();
    if (!tty || now - last_draw < std::chrono::milliseconds(250)) return;
    last_draw = now;
    const double s = std::chrono::duration<double>(now - start).count();
    std::fprintf(stderr, "\r\033[Kgenerate  %s of %s  %.0f MiB/s", format_bytes(written).c_str(),
                 format_bytes(size).c_str(), static_cast<double>(written) / s / (1 << 20));
  });
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (report.skipped) {
    fmt::print("{} ({}) and {} are already there; --force writes them again\n", file,
               format_bytes(size), hash_path_for(file));
    return 0;
  }
  const double mib = static_cast<double>(size) / (1 << 20);
  fmt::print(
      "wrote {} of random bytes to {} in {:.2f} s: {:.0f} MiB/s to disk (hashing {:.0f} MiB/s)\n",
      format_bytes(size), file, report.seconds, mib / report.seconds, mib / report.hash_seconds);
  fmt::print("sha256 {} -> {}\n", report.sha256, hash_path_for(file));
  return 0;
}

// ---------------------------------------------------------------- serve

struct ServeOptions {
  std::string loop = default_server_backend();
  std::string bind = "127.0.0.1";
  int port = 8766;
  int cpu = -1;
  bool tls = false;
  std::string cert, key;
  std::string file = "testdata.bin";
  std::string truncate_at;
  std::string max_msg = "8MiB";
  int send_queue = 4;
};

tls::SslCtxPtr server_tls(const ServeOptions& o) {
  if (o.cert.empty() != o.key.empty()) throw UsageError("--cert and --key go together");
  if (!o.cert.empty()) return tls::make_server_context(tls::load_pem(o.cert, o.key));
  if (o.tls) return tls::make_server_context(tls::make_self_signed());
  return nullptr;
}

ws::SessionOptions stream_session_options(const std::string& max_msg, int send_queue) {
  ws::SessionOptions s;
  s.max_message = size_option("--max-msg", max_msg);
  if (s.max_message < kStreamPiece)
    throw UsageError("--max-msg must be at least " + format_bytes(kStreamPiece) +
                     " (one piece of the file)");
  if (send_queue < 1) throw UsageError("--send-queue must be at least 1");
  s.send_queue = static_cast<std::size_t>(send_queue);
  return s;
}

StreamServerConfig server_config(const ServeOptions& o) {
  StreamServerConfig c;
  c.file = o.file;
  if (!o.truncate_at.empty()) c.truncate_at = size_option("--truncate-at", o.truncate_at);
  return c;
}

int run_serve(const ServeOptions& o) {
  if (o.port < 0 || o.port > 65535) throw UsageError("--port must be 0..65535");
  std::vector<std::string> notes;
  select_backends(o.loop, notes);
  pin_or_throw(o.cpu, "server");
  const auto options = stream_session_options(o.max_msg, o.send_queue);
  // Say now, not at the first client, when the file is not ready.
  DataFileReader check(o.file);
  read_recorded_hash(o.file);
  tls::SslCtxPtr ctx = server_tls(o);
  auto loop = make_loop(o.loop);
  WsServer server(*loop, ctx.get(), options, stream_route(server_config(o)));
  server.listen(Endpoint{o.bind, static_cast<std::uint16_t>(o.port)});
  StopOnSignal stop(*loop);
  fmt::print("bench stream serve: listening on {} ({}, loop {}, file {}, {}); Ctrl-C stops\n",
             Endpoint{o.bind, server.port()}.to_string(), ctx ? "wss" : "ws", o.loop, o.file,
             format_bytes(check.size()));
  std::fflush(stdout);
  loop->run();
  fmt::print("bench stream serve: {} sessions served, {} failed\n", server.served(),
             server.failed());
  return 0;
}

// ---------------------------------------------------------------- client

struct ClientOptions {
  std::string test = "download";
  std::string loop = "all";
  std::string server_loop = default_server_backend();
  std::string url;
  std::string file = "testdata.bin";
  bool tls = false;
  bool insecure = false;
  std::string cacert;
  bool drop_cache = false;
  int repeat = 3;
  int warmup = 0;
  int server_cpu = -1;
  int client_cpu = -1;
  std::string json;
  double timeout_s = 30;
  std::string max_msg = "8MiB";
  int send_queue = 4;
  std::string truncate_at;  // passed to the built-in server (tests)
};

std::string cache_state(double fraction) {
  if (fraction < 0) return "?";
  if (fraction >= 0.9) return "warm";
  if (fraction <= 0.1) return "cold";
  return fmt::format("{:.0f}% cached", fraction * 100);
}

int run_client(const ClientOptions& o) {
  const std::string started = utc_timestamp();
  std::vector<std::string> directions;
  for (const char* d : {"download", "upload"})
    if (o.test == d || o.test == "both") directions.emplace_back(d);
  if (directions.empty())
    throw UsageError("--test: expected download, upload or both, got '" + o.test + "'");
  if (o.repeat < 1 || o.warmup < 0) throw UsageError("--repeat must be >= 1 and --warmup >= 0");
  const auto options = stream_session_options(o.max_msg, o.send_queue);
  std::vector<std::string> notes;
  const auto loops = select_backends(o.loop, notes);
  for (const auto& n : notes)
    std::fprintf(stderr, "bench: %s\n", n.c_str());
  // An upload needs the file here; a download from the built-in server too.
  if (o.test != "download" || o.url.empty()) {
    DataFileReader check(o.file);
    read_recorded_hash(o.file);
  }

  WsUrl target;
  std::optional<BuiltinWsServer> server;
  if (!o.url.empty()) {
    target = url_option(o.url, "/stream");
  } else {
    select_backends(o.server_loop, notes);
    ServeOptions so;
    so.file = o.file;
    so.truncate_at = o.truncate_at;
    server.emplace(o.server_loop, o.server_cpu, o.tls, options, stream_route(server_config(so)));
    target = WsUrl{o.tls, "127.0.0.1", server->endpoint(), "/stream"};
  }
  pin_or_throw(o.client_cpu, "client");
  tls::SslCtxPtr client_ctx;
  if (target.tls)
    client_ctx = ws_client_tls(o.insecure, o.cacert, server ? server->certificate() : nullptr);

  std::vector<RunResult> runs;
  std::uint64_t failures = 0;
  for (const auto& direction : directions) {
    for (const auto& loop_name : loops) {
      RunResult run;
      run.bench = "stream";
      run.loop = loop_name;
      run.mode = direction;
      run.tls = target.tls;
      run.params = {{"file", o.file},
                    {"piece_bytes", kStreamPiece},
                    {"send_queue", o.send_queue},
                    {"drop_cache", o.drop_cache},
                    {"repeat", o.repeat},
                    {"warmup", o.warmup},
                    {"server_cpu", o.server_cpu},
                    {"client_cpu", o.client_cpu},
                    {"target", server ? "builtin" : o.url}};
      std::vector<double> hash_bps, read_bps;
      std::vector<std::string> cache;
      std::vector<std::string> sha256;
      std::uint64_t server_rss = 0;
      bool verified = true;
      auto loop = make_loop(loop_name);
      for (int i = 0; i < o.warmup + o.repeat; ++i) {
        StreamClientSpec spec;
        spec.connect = WsConnectSpec{target.endpoint, target.host, target.path, client_ctx.get()};
        spec.direction = direction;
        spec.file = o.file;
        spec.drop_cache = o.drop_cache;
        spec.options = options;
        spec.idle_timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
        LagProbe lag(*loop);
        StreamClientResult result;
        StreamClientTransfer transfer(*loop, spec, [&](const StreamClientResult& r) {
          result = r;
          loop->stop();
        });
        const CpuTimes used =
            run_measured(*loop, transfer, lag, "stream " + direction + " " + loop_name);
        ++run.connections;
        run.size_bytes = result.size;
        if (!result.error.empty() || !result.verified) {
          ++run.errors;
          verified = false;
          run.error_messages.push_back(result.error);
          std::fprintf(stderr, "bench: stream %s %s: %s\n", direction.c_str(), loop_name.c_str(),
                       result.error.c_str());
          break;
        }
        if (i < o.warmup) continue;
        run.loop_lag_ns.merge(lag.lag_ns());
        run.repeats.push_back(
            {result.duration_s, result.bytes, result.messages, used.user_s, used.sys_s});
        if (result.hash_s > 0) hash_bps.push_back(static_cast<double>(result.size) / result.hash_s);
        if (result.read_s > 0) read_bps.push_back(static_cast<double>(result.size) / result.read_s);
        cache.push_back(cache_state(result.cached_fraction));
        sha256.push_back(result.sha256);
        server_rss = std::max(server_rss, result.server_peak_rss_kib);
      }
      run.verified = verified && !run.repeats.empty();
      if (!*run.verified) ++failures;
      run.summary_extra = {{"hash_bytes_per_s", to_json(spread_of(hash_bps))},
                           {"disk_read_bytes_per_s", to_json(spread_of(read_bps))},
                           {"cache", cache},
                           {"sha256", sha256.empty() ? "" : sha256.front()},
                           {"peak_rss_kib", {{"client", peak_rss_kib()}, {"server", server_rss}}}};
      runs.push_back(std::move(run));
    }
  }
  if (server) server->stop();
  print_stream_table(
      stdout, runs,
      fmt::format(
          "bench stream: {} {}; client CPU {}; {} pieces; send queue {}; {} repeats "
          "after {} warm-up{}",
          o.file, target.tls ? "over wss" : "over ws", o.client_cpu, format_bytes(kStreamPiece),
          o.send_queue, o.repeat, o.warmup,
          server ? fmt::format("; built-in server (loop {}, CPU {})", o.server_loop, o.server_cpu)
                 : "; server " + o.url));
  if (!o.json.empty()) write_results_file(o.json, runs, started);
  return failures ? 1 : 0;
}

}  // namespace

void register_stream_command(CLI::App& app, CommandRunner& run) {
  auto* stream = app.add_subcommand(
      "stream", "Verified streaming: a random file's SHA-256 checked end to end over WebSocket");
  stream->require_subcommand(1);

  struct GenerateOptions {
    std::string file = "testdata.bin";
    std::string size = "10GiB";
    bool force = false;
  };
  auto g = std::make_shared<GenerateOptions>();
  auto* gen = stream->add_subcommand(
      "generate", "Write a file of random bytes and its SHA-256 (FILE minus extension + .hash)");
  gen->add_option("--file", g->file, "Data file")->capture_default_str();
  gen->add_option("--size", g->size, "Bytes to write (4GiB, 512MiB, ...)")->capture_default_str();
  gen->add_flag("--force", g->force, "Write again even if both files are there");
  gen->callback([g, &run] { run = [g] { return run_generate(g->file, g->size, g->force); }; });

  auto s = std::make_shared<ServeOptions>();
  auto* serve = stream->add_subcommand(
      "serve", "Serve /stream?test=download|upload for the file (see tools/stream_transfer.hpp)");
  serve->add_option("--loop", s->loop, "Server loop")->capture_default_str();
  serve->add_option("--port", s->port, "Port (0: any free port)")->capture_default_str();
  serve->add_option("--bind", s->bind, "Address to bind")->capture_default_str();
  serve->add_option("--cpu", s->cpu, "Pin the server to this CPU");
  serve->add_option("--file", s->file, "Data file (with its .hash beside it)")
      ->capture_default_str();
  serve->add_flag("--tls", s->tls, "wss:// with a fresh self-signed certificate");
  serve->add_option("--cert", s->cert, "PEM certificate for wss://");
  serve->add_option("--key", s->key, "PEM private key for wss://");
  serve->add_option("--send-queue", s->send_queue, "4 MiB messages queued before reading waits")
      ->capture_default_str();
  serve->add_option("--max-msg", s->max_msg, "Largest message accepted")->capture_default_str();
  serve->add_option("--truncate-at", s->truncate_at,
                    "Test aid: stop a download after this many bytes, as a broken server would");
  serve->callback([s, &run] { run = [s] { return run_serve(*s); }; });

  auto c = std::make_shared<ClientOptions>();
  auto* client = stream->add_subcommand(
      "client", "Stream the file and verify its SHA-256; exit 0 only when every transfer verified");
  client->add_option("--test", c->test, "download, upload or both")->capture_default_str();
  client->add_option("--loop", c->loop, "Client loop(s): epoll, libuv, uring, list, all")
      ->capture_default_str();
  client
      ->add_option("--file", c->file, "Data file (uploads send it; the built-in server serves it)")
      ->capture_default_str();
  client->add_option("--url", c->url, "ws(s)://HOST:PORT/stream of another server");
  client->add_flag("--tls", c->tls, "wss:// to the built-in server");
  client->add_flag("--insecure", c->insecure, "Do not verify the server's certificate");
  client->add_option("--cacert", c->cacert, "Trust this CA file (PEM) for wss://");
  client->add_flag("--drop-cache", c->drop_cache,
                   "Evict the sender's file from the page cache before each run (cold run)");
  client->add_option("--repeat", c->repeat, "Counted repeats")->capture_default_str();
  client->add_option("--warmup", c->warmup, "Warm-up repeats, not counted")->capture_default_str();
  client->add_option("--server-cpu", c->server_cpu, "Pin the built-in server to this CPU");
  client->add_option("--client-cpu", c->client_cpu, "Pin the client to this CPU");
  client->add_option("--server-loop", c->server_loop, "Loop of the built-in server")
      ->capture_default_str();
  client->add_option("--send-queue", c->send_queue, "4 MiB messages queued before reading waits")
      ->capture_default_str();
  client->add_option("--json", c->json, "Write results to FILE (schema loopbench.results/1)");
  client->add_option("--timeout", c->timeout_s, "Fail after this many seconds without progress")
      ->capture_default_str();
  client->add_option("--truncate-at", c->truncate_at,
                     "Test aid: the built-in server stops a download after this many bytes");
  client->callback([c, &run] { run = [c] { return run_client(*c); }; });
}

}  // namespace lb
