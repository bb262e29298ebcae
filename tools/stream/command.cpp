#include "tools/stream/command.hpp"
#include "tools/serve/serving_loops.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "backends/registry.hpp"
#include "protocols/tls/certificate.hpp"
#include "protocols/tls/tls_context.hpp"
#include "tools/measure/measured_transfer.hpp"
#include "tools/measure/repeats.hpp"
#include "tools/net/emulated_path.hpp"
#include "tools/options/options.hpp"
#include "tools/options/run_options.hpp"
#include "tools/options/size.hpp"
#include "tools/options/tls_options.hpp"
#include "tools/process/cpu.hpp"
#include "tools/process/interruption.hpp"
#include "tools/process/placement.hpp"
#include "tools/process/this_process.hpp"
#include "tools/report/results.hpp"
#include "tools/report/row_verdicts.hpp"
#include "tools/serve/serve_options.hpp"
#include "tools/stream/data_file.hpp"
#include "tools/stream/table.hpp"
#include "tools/stream/transfer.hpp"
#include "tools/ws/builtin.hpp"
#include "tools/ws/codec_option.hpp"
#include "tools/ws/connect.hpp"

namespace lb {
namespace {

// ---------------------------------------------------------------- generate

int run_generate(const std::string& file, const std::string& size_text, bool force) {
  const auto size = size_option("--size", size_text);
  if (size == 0) throw UsageError("--size must be more than 0 bytes");
  const bool tty = stderr_is_terminal();
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

struct StreamServeOptions {
  ServeOptions serve;
  bool tls = false;
  std::string cert, key;
  std::string file = "testdata.bin";
  std::string truncate_at;
  std::string max_msg = "8MiB";
  int send_queue = kStreamSendQueue;
  std::string codec = "native";
};

ws::SessionOptions stream_session_options(const std::string& max_msg, int send_queue,
                                          ws::Codec codec) {
  ws::SessionOptions s;
  s.codec = codec;
  s.max_message = size_option("--max-msg", max_msg);
  if (s.max_message < kStreamPiece)
    throw UsageError("--max-msg must be at least " + format_bytes(kStreamPiece) +
                     " (one piece of the file)");
  if (send_queue < 1) throw UsageError("--send-queue must be at least 1");
  s.send_queue = static_cast<std::size_t>(send_queue);
  return s;
}

StreamServerConfig server_config(const std::string& file, const std::string& truncate_at) {
  StreamServerConfig c;
  c.file = file;
  if (!truncate_at.empty()) c.truncate_at = size_option("--truncate-at", truncate_at);
  return c;
}

// Says now, not at the first transfer, when the file or its hash is missing.
std::uint64_t check_data_file(const std::string& file) {
  DataFileReader check(file);
  read_recorded_hash(file);
  return check.size();
}

int run_serve(const StreamServeOptions& o) {
  const auto options =
      stream_session_options(o.max_msg, o.send_queue, codec_option("--codec", o.codec));
  const auto size = check_data_file(o.file);
  const auto ctx = server_tls_option(o.tls, o.cert, o.key);
  const auto config = server_config(o.file, o.truncate_at);
  const std::string details = fmt::format("{}, loop {}, codec {}, file {}, {}", ctx ? "wss" : "ws",
                                          o.serve.loop, o.codec, o.file, format_bytes(size));
  return serve_foreground(o.serve, "stream serve", details, [&](Loop& loop, const ListenAt& at) {
    return start_ws_server(loop, at, ctx.get(), options, stream_route(config));
  });
}

// ---------------------------------------------------------------- client

// A whole file is read from the page cache the generator filled: no
// warm-up, and a longer timeout than bench ws's transfers.
RunOptions stream_run_defaults() {
  RunOptions r;
  r.warmup = 0;
  r.timeout_s = 30;
  return r;
}

struct ClientOptions {
  RunOptions run = stream_run_defaults();
  std::string test = "download";
  std::string url;
  std::string file = "testdata.bin";
  bool tls = false;
  bool insecure = false;
  std::string cacert;
  bool drop_cache = false;
  std::string max_msg = "8MiB";
  int send_queue = kStreamSendQueue;
  std::string codec = "native";
  std::string server_codec = "native";
  std::string truncate_at;  // passed to the built-in server (tests)
};

std::string cache_state(double fraction) {
  if (fraction < 0) return "?";
  if (fraction >= 0.9) return "warm";
  if (fraction <= 0.1) return "cold";
  return fmt::format("{:.0f}% cached", fraction * 100);
}

int run_client(const ClientOptions& o) {
  const Interruption interruption;  // before any thread or server starts
  const std::string started = utc_timestamp();
  std::vector<std::string> directions;
  for (const char* d : {"download", "upload"})
    if (o.test == d || o.test == "both") directions.emplace_back(d);
  if (directions.empty())
    throw UsageError("--test: expected download, upload or both, got '" + o.test + "'");
  o.run.check();
  if (o.drop_cache && !can_drop_file_cache())
    throw UsageError(
        "--drop-cache: this system offers no way to drop one file's pages from its "
        "cache (Linux's posix_fadvise)");
  const auto codecs = codec_list("--codec", o.codec);
  const auto server_options = stream_session_options(
      o.max_msg, o.send_queue, codec_option("--server-codec", o.server_codec));
  const auto loops = o.run.client_loops();
  const std::string reference = reference_loop(names_of(loops), o.run.reference);
  // An upload needs the file here; a download from the built-in server too.
  if (o.test != "download" || o.url.empty()) check_data_file(o.file);

  const auto net_path = net::emulated_path_for(o.run.net, o.url.empty(), false);
  const Placement where = net::placement_of(net_path.get());
  std::optional<BuiltinWsServer> server;
  const WsUrl target =
      url_or_builtin_ws_server(o.url, "/stream", o.run, where, o.tls, server_options,
                               stream_route(server_config(o.file, o.truncate_at)), server);
  o.run.pin_client();
  tls::SslCtxPtr client_ctx;
  if (target.tls)
    client_ctx = ws_client_tls(o.insecure, o.cacert, server ? server->certificate() : nullptr);

  std::vector<RunResult> runs;
  std::uint64_t failures = 0;
  auto shuffle = o.run.shuffle();
  // What a row's counted attempts tell besides their repeat.
  struct Extras {
    std::uint64_t size = 0;
    std::vector<double> hash_bps, read_bps;
    std::vector<std::string> cache, sha256;
    std::uint64_t server_rss = 0;
  };
  for (const auto& direction : directions) {
    RowRounds rounds;
    for (const auto codec : codecs)
      for (const auto& kind : loops) {
        const std::string& loop_name = kind.name;
        StreamClientSpec spec;
        spec.connect = WsConnectSpec{target.endpoint, target.host, target.path, client_ctx.get()};
        spec.direction = direction;
        spec.file = o.file;
        spec.drop_cache = o.drop_cache;
        spec.options = server_options;
        spec.options.codec = codec;
        spec.idle_timeout = o.run.timeout();
        RunResult run;
        run.bench = "stream";
        run.loop = loop_name;
        run.codec = ws::codec_name(codec);
        run.mode = direction;
        run.tls = target.tls;
        run.params = o.run.params(where);
        run.params.update({{"file", o.file},
                           {"piece_bytes", kStreamPiece},
                           {"send_queue", o.send_queue},
                           {"drop_cache", o.drop_cache},
                           {"target", server ? "builtin" : o.url}});
        if (server) run.params["server_codec"] = o.server_codec;
        auto extras = std::make_shared<Extras>();
        std::shared_ptr<Loop> loop = kind.make();
        const std::string label = "stream " + direction + " " + loop_name + " " + run.codec;
        rounds.add(
            std::move(run), label,
            [loop, spec, extras, &server](const std::string& text, bool counted) {
              const auto server_before = server ? server->cpu_seconds() : std::nullopt;
              const auto m = measure_transfer<StreamClientTransfer>(
                  *loop, spec, text, RateUnit{8.0 * (1 << 20), "MiB/s"});
              const auto server_after = server ? server->cpu_seconds() : std::nullopt;
              const auto& r = m.result;
              extras->size = r.size;
              AttemptResult a = AttemptResult::of_transfer(
                  !r.error.empty() || r.verified ? r.error : "not verified");
              a.repeat = {r.duration_s, r.bytes, r.messages, m.cpu.user_s, m.cpu.sys_s};
              if (server_before && server_after)
                a.repeat.server_cpu_s = *server_after - *server_before;
              a.loop_lag_ns = m.loop_lag_ns;
              if (a.failed || !counted) return a;
              if (r.hash_s > 0) extras->hash_bps.push_back(static_cast<double>(r.size) / r.hash_s);
              if (r.read_s > 0) extras->read_bps.push_back(static_cast<double>(r.size) / r.read_s);
              extras->cache.push_back(cache_state(r.cached_fraction));
              extras->sha256.push_back(r.sha256);
              extras->server_rss = std::max(extras->server_rss, r.server_peak_rss_kib);
              return a;
            },
            [extras](RunResult& row) {
              row.size_bytes = extras->size;
              // Every attempt arrived whole and hashed right: a failed one ended the row.
              row.verified = row.errors == 0 && !row.repeats.empty();
              row.summary_extra = {
                  {"hash_bytes_per_s", to_json(spread_of(extras->hash_bps))},
                  {"disk_read_bytes_per_s", to_json(spread_of(extras->read_bps))},
                  {"cache", extras->cache},
                  {"sha256", extras->sha256.empty() ? "" : extras->sha256.front()},
                  {"peak_rss_kib", {{"client", peak_rss_kib()}, {"server", extras->server_rss}}}};
            });
      }
    for (auto& run : rounds.run(o.run.warmup, o.run.repeat, shuffle)) {
      if (!*run.verified) ++failures;
      runs.push_back(std::move(run));
    }
  }
  if (server) server->stop();
  print_stream_table(
      o.run.table_stream(), runs,
      fmt::format("bench stream: {} {}; client {}; {} pieces; send queue {}; {} "
                  "after {}{}",
                  o.file, target.tls ? "over wss" : "over ws", cpu_text(o.run.client_cpu),
                  format_bytes(kStreamPiece), o.send_queue, counted(o.run.repeat, "repeat"),
                  counted(o.run.warmup, "warm-up"),
                  server ? fmt::format("; built-in server (loop {}, {})", o.run.server_loop,
                                       cpu_text(o.run.server_cpu))
                         : "; server " + o.url));
  const auto verdicts = judge_rows(runs, reference, o.run.margin_pct / 100, o.run.seed);
  std::fputs(verdicts.text().c_str(), o.run.table_stream());
  if (!o.run.json.empty()) write_results_file(o.run.json, runs, started, verdicts.json());
  if (!o.run.csv.empty()) write_results_csv(o.run.csv, runs);
  return interrupted_or(failures ? 1 : 0, runs, o.run.repeat);
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

  auto s = std::make_shared<StreamServeOptions>();
  auto* serve = stream->add_subcommand(
      "serve", "Serve /stream?test=download|upload for the file (see tools/stream/transfer.hpp)");
  add_serve_options(serve, s->serve, 8766);
  serve->add_option("--file", s->file, "Data file (with its .hash beside it)")
      ->capture_default_str();
  serve->add_flag("--tls", s->tls, "wss:// with a fresh self-signed certificate");
  serve->add_option("--cert", s->cert, "PEM certificate for wss://");
  serve->add_option("--key", s->key, "PEM private key for wss://");
  serve->add_option("--send-queue", s->send_queue, "256 KiB messages queued before reading waits")
      ->capture_default_str();
  serve->add_option("--max-msg", s->max_msg, "Largest message accepted")->capture_default_str();
  serve->add_option("--codec", s->codec, "WebSocket framing: native (ours) or wslay")
      ->capture_default_str();
  serve->add_option("--truncate-at", s->truncate_at,
                    "Test aid: stop a download after this many bytes, as a broken server would");
  serve->callback([s, &run] { run = [s] { return run_serve(*s); }; });

  auto c = std::make_shared<ClientOptions>();
  auto* client = stream->add_subcommand(
      "client", "Stream the file and verify its SHA-256; exit 0 only when every transfer verified");
  client->add_option("--test", c->test, "download, upload or both")->capture_default_str();
  client
      ->add_option("--file", c->file, "Data file (uploads send it; the built-in server serves it)")
      ->capture_default_str();
  client->add_option("--url", c->url, "ws(s)://HOST:PORT/stream of another server");
  client->add_flag("--tls", c->tls, "wss:// to the built-in server");
  client->add_flag("-k,--insecure", c->insecure, "Do not verify the server's certificate");
  client->add_option("--cacert", c->cacert, "Trust this CA file (PEM) for wss://");
  client->add_flag("--drop-cache", c->drop_cache,
                   "Evict the sender's file from the page cache before each run (cold run)");
  add_run_options(client, c->run);
  add_csv_option(client, c->run);
  client->add_option("--send-queue", c->send_queue, "256 KiB messages queued before reading waits")
      ->capture_default_str();
  client
      ->add_option("--codec", c->codec,
                   "Client WebSocket framing: native (ours), wslay, a comma list, or all")
      ->capture_default_str();
  client->add_option("--server-codec", c->server_codec, "Framing of the built-in server")
      ->capture_default_str();
  client->add_option("--truncate-at", c->truncate_at,
                     "Test aid: the built-in server stops a download after this many bytes");
  client->callback([c, &run] { run = [c] { return run_client(*c); }; });
}

}  // namespace lb
