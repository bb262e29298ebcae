#include "tools/ws/command.hpp"
#include "tools/serve/serving_loops.hpp"

#include <fmt/core.h>

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
#include "tools/peers/runner.hpp"
#include "tools/peers/trust_file.hpp"
#include "tools/process/interruption.hpp"
#include "tools/process/placement.hpp"
#include "tools/report/results.hpp"
#include "tools/report/row_verdicts.hpp"
#include "tools/serve/serve_options.hpp"
#include "tools/ws/builtin.hpp"
#include "tools/ws/codec_option.hpp"
#include "tools/ws/conformance.hpp"
#include "tools/ws/table.hpp"
#include "tools/ws/throughput.hpp"

namespace lb {
namespace {

// What a WebSocket session of ours is bounded by, on either end.
struct SessionLimits {
  int send_queue = 128;
  std::string max_msg = "8MiB";

  ws::SessionOptions check(ws::Codec codec) const {
    if (send_queue < 1) throw UsageError("queue bounds must be at least 1");
    ws::SessionOptions s;
    s.max_message = size_option("--max-msg", max_msg);
    s.send_queue = static_cast<std::size_t>(send_queue);
    s.codec = codec;
    return s;
  }
};

void add_session_limits(CLI::App* cmd, SessionLimits& o) {
  cmd->add_option("--send-queue", o.send_queue, "Messages queued before the sender waits")
      ->capture_default_str();
  cmd->add_option("--max-msg", o.max_msg, "Largest message accepted (1009 beyond)")
      ->capture_default_str();
}

struct WsOptions {
  RunOptions run;
  TransferOptions transfer;
  SessionLimits limits;
  int recv_queue = 512;
  std::string codec = "native";
  std::string server_codec = "native";
  bool tls = false;
  bool insecure = false;
  std::string cacert;
  std::string url;
  std::string peers;
  bool peers_only = false;
  std::optional<double> duration_s;  // -d: each direction for a time, not --total
};

// The row's fixed fields, ours or a peer's.
RunResult ws_row(const WsOptions& o, const Placement& where, const TransferPlan& t,
                 const std::string& direction, bool tls, bool builtin) {
  RunResult row;
  row.bench = "ws";
  row.mode = direction;
  row.size_bytes = o.duration_s ? 0 : t.total;
  row.tls = tls;
  row.params = o.run.params(where);
  row.params.update(
      {{"total_bytes", o.duration_s ? nlohmann::json(nullptr) : nlohmann::json(t.total)},
       {"chunk_bytes", t.chunk},
       {"target", builtin ? "builtin" : o.url}});
  if (o.duration_s) row.params["duration_s"] = *o.duration_s;
  return row;
}

PeerWorkload peer_workload(const WsOptions& o, const Placement& where, const TransferPlan& t,
                           const std::string& direction, const WsUrl& target, bool builtin,
                           const std::string& trust) {
  PeerWorkload w;
  w.row = ws_row(o, where, t, direction, target.tls, builtin);
  const std::string url = fmt::format("{}://{}:{}{}", target.tls ? "wss" : "ws", target.host,
                                      target.endpoint.port, target.path);
  w.args = {"--url",     url,
            "--mode",    direction,
            "--total",   std::to_string(t.total),
            "--chunk",   std::to_string(t.chunk),
            "--warmup",  o.run.warmup > 0 ? "1" : "0",
            "--timeout", fmt::format("{}", o.run.timeout_s)};
  if (o.insecure) w.args.push_back("--insecure");
  const std::string& cacert = !trust.empty() ? trust : o.cacert;
  if (target.tls && !cacert.empty()) w.args.insert(w.args.end(), {"--cacert", cacert});
  return w;
}

int run_ws(const WsOptions& o) {
  const Interruption interruption;  // before any thread or server starts
  const std::string started = utc_timestamp();
  const auto t = o.transfer.check();
  o.run.check();
  if (o.recv_queue < 1) throw UsageError("queue bounds must be at least 1");
  const auto codecs = codec_list("--codec", o.codec);
  const auto server_options = o.limits.check(codec_option("--server-codec", o.server_codec));
  if (t.chunk > server_options.max_message) throw UsageError("--chunk is larger than --max-msg");
  const auto loops = o.peers_only ? std::vector<LoopKind>{} : o.run.client_loops();
  const std::string reference = reference_loop(names_of(loops), o.run.reference);
  const auto peers = select_peers("ws", o.peers);
  if (o.peers_only && peers.empty()) throw UsageError("--peers-only needs --peers");
  if (o.duration_s && *o.duration_s <= 0) throw UsageError("--duration must be positive");
  if (!peers.empty() && o.duration_s)
    throw UsageError("--peers move a count of bytes: give --total, not --duration");

  const auto net_path = net::emulated_path_for(o.run.net, o.url.empty(), !peers.empty());
  const Placement where = net::placement_of(net_path.get());
  std::optional<BuiltinWsServer> server;
  const WsUrl target = url_or_builtin_ws_server(o.url, "/ws", o.run, where, o.tls, server_options,
                                                ws_throughput_route(), server);
  o.run.pin_client();
  tls::SslCtxPtr client_ctx;
  if (target.tls)  // the built-in server's certificate is the one we made: trust exactly it
    client_ctx = ws_client_tls(o.insecure, o.cacert, server ? server->certificate() : nullptr);
  const TrustFile trust(server && !peers.empty() ? server->certificate() : nullptr);

  std::vector<RunResult> runs;
  std::uint64_t errors = 0;
  auto shuffle = o.run.shuffle();
  for (const auto& direction : t.directions) {
    RowRounds rounds;
    for (const auto codec : codecs)
      for (const auto& kind : loops) {
        const std::string& loop_name = kind.name;
        WsClientSpec spec;
        spec.server = target.endpoint;
        spec.host = target.host;
        spec.path = target.path;
        spec.tls = client_ctx.get();
        spec.test = {direction, t.total, t.chunk};
        spec.options = o.limits.check(codec);
        spec.recv_queue = static_cast<std::size_t>(o.recv_queue);
        spec.idle_timeout = o.run.timeout();
        if (o.duration_s)
          spec.duration = std::chrono::nanoseconds(static_cast<std::int64_t>(*o.duration_s * 1e9));
        RunResult run = ws_row(o, where, t, direction, target.tls, server.has_value());
        run.loop = loop_name;
        run.codec = ws::codec_name(codec);
        run.params.update({{"send_queue", o.limits.send_queue},
                           {"recv_queue", o.recv_queue},
                           {"max_msg", spec.options.max_message}});
        if (server) run.params["server_codec"] = ws::codec_name(server_options.codec);
        std::shared_ptr<Loop> loop = kind.make();
        const std::string label = "ws " + direction + " " + loop_name + " " + run.codec;
        rounds.add(std::move(run), label, [loop, spec, &server](const std::string& text, bool) {
          const auto server_before = server ? server->cpu_seconds() : std::nullopt;
          const auto m = measure_transfer<WsClientTransfer>(*loop, spec, text);
          const auto server_after = server ? server->cpu_seconds() : std::nullopt;
          AttemptResult a = AttemptResult::of_transfer(m.result.error);
          a.repeat = {m.result.duration_s, m.result.received + m.result.sent, m.result.messages,
                      m.cpu.user_s, m.cpu.sys_s};
          if (server_before && server_after) a.repeat.server_cpu_s = *server_after - *server_before;
          a.loop_lag_ns = m.loop_lag_ns;
          return a;
        });
      }
    std::vector<RunResult> not_installed;
    for (const auto* peer : peers) {
      auto w = peer_workload(o, where, t, direction, target, server.has_value(), trust.path());
      if (server) w.server_cpu = [&server] { return server->cpu_seconds(); };
      for (auto& p : peer_rows(*peer, w)) {
        if (!p.attempt) {
          not_installed.push_back(std::move(p.row));
          continue;
        }
        const std::string label = "ws " + direction + " " + p.row.client + " " + p.row.loop;
        rounds.add(std::move(p.row), label, std::move(p.attempt), std::move(p.finish));
      }
    }
    for (auto& run : rounds.run(o.run.warmup, o.run.repeat, shuffle)) {
      errors += run.errors;
      runs.push_back(std::move(run));
    }
    std::move(not_installed.begin(), not_installed.end(), std::back_inserter(runs));
  }
  if (server) server->stop();
  const auto verdicts = judge_rows(runs, reference, o.run.margin_pct / 100, o.run.seed);
  add_vs_ours(runs, verdicts.comparisons);
  print_ws_table(
      o.run.table_stream(), runs,
      fmt::format("bench ws: {}{}; client {}; {}chunk {}; send queue {} msgs; {} "
                  "after {}",
                  target.tls ? "wss" : "ws",
                  server
                      ? fmt::format(" built-in server (loop {}, codec {}, {})", o.run.server_loop,
                                    o.server_codec, cpu_text(o.run.server_cpu))
                      : " " + o.url,
                  cpu_text(o.run.client_cpu),
                  o.duration_s ? fmt::format("{:g} s per direction; ", *o.duration_s) : "",
                  format_bytes(t.chunk), o.limits.send_queue, counted(o.run.repeat, "repeat"),
                  counted(o.run.warmup, "warm-up")));
  std::fputs(verdicts.text().c_str(), o.run.table_stream());
  if (!o.run.json.empty()) write_results_file(o.run.json, runs, started, verdicts.json());
  if (!o.run.csv.empty()) write_results_csv(o.run.csv, runs);
  return interrupted_or(errors ? 1 : 0, runs, o.run.repeat);
}

struct ConformanceOptions {
  std::string url;
  std::string loop = "all";
  std::string codec = "all";
  std::string agent = "loopbench";
  std::optional<int> cases;
  std::string max_msg = "64MiB";
  double timeout_s = 60;
};

// Each loop and codec in turn, as its own agent of the suite's report.
int run_conformance(const ConformanceOptions& o) {
  const Interruption interruption;
  const WsUrl server = url_option(o.url, "/");
  if (server.tls) throw UsageError("--url: the suite's fuzzingserver speaks ws://, not wss://");
  if (o.cases && *o.cases < 1) throw UsageError("--cases must be at least 1");
  if (o.timeout_s <= 0) throw UsageError("--timeout must be positive");
  RunOptions run;
  run.loop = o.loop;
  const auto loops = run.client_loops();
  const auto codecs = codec_list("--codec", o.codec);
  const auto max_message = size_option("--max-msg", o.max_msg);
  int failures = 0;
  for (const auto& kind : loops)
    for (const auto codec : codecs) {
      ConformanceSpec spec;
      spec.server = server;
      spec.agent = o.agent + "-" + kind.name + "-" + ws::codec_name(codec);
      spec.session.codec = codec;
      spec.session.max_message = max_message;
      spec.last_case = o.cases;
      spec.step_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout_s * 1000));
      const auto loop = kind.make();
      std::optional<ConformanceResult> result;
      ConformanceClient client(*loop, spec, [&](const ConformanceResult& r) {
        result = r;
        loop->stop();
      });
      client.start();
      loop->run();
      if (!result) {  // interrupted
        fmt::print("{}: interrupted\n", spec.agent);
        return 130;  // as a shell reports a SIGINT
      }
      if (result->error.empty()) {
        fmt::print("{}: {} of the suite's {} cases run, report updated\n", spec.agent,
                   result->cases_run, result->case_count);
      } else {
        ++failures;
        fmt::print(stderr, "bench: {}: {} (after {} of {} cases)\n", spec.agent, result->error,
                   result->cases_run, result->case_count);
      }
    }
  fmt::print(
      "The verdicts are the suite's: its report (reports/clients/index.html where the "
      "fuzzingserver runs) lists each agent.\n");
  return failures ? 1 : 0;
}

void register_conformance(CLI::App* ws_cmd, CommandRunner& run) {
  auto o = std::make_shared<ConformanceOptions>();
  auto* cmd = ws_cmd->add_subcommand(
      "conformance",
      "Our client under Autobahn|Testsuite's fuzzingserver: each loop and codec runs the "
      "suite's cases as an agent of its own");
  cmd->add_option("--url", o->url, "ws://HOST:PORT of the running fuzzingserver")->required();
  cmd->add_option("--loop", o->loop, "Client loop(s): epoll, libuv, uring, a comma list, or all")
      ->capture_default_str();
  cmd->add_option("--codec", o->codec, "Client framing: native, wslay, a comma list, or all")
      ->capture_default_str();
  cmd->add_option("--agent", o->agent, "Agent name prefix (-LOOP-CODEC is added)")
      ->capture_default_str();
  cmd->add_option("--cases", o->cases, "Run cases 1 to N only (all the suite offers by default)");
  cmd->add_option("--max-msg", o->max_msg, "Largest message accepted (the suite sends 16 MiB)")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout_s, "Fail a case that has not ended after this long")
      ->transform(seconds_option())
      ->capture_default_str();
  cmd->callback([o, &run] { run = [o] { return run_conformance(*o); }; });
}

struct ServeWsOptions {
  ServeOptions serve;
  SessionLimits limits;
  std::string codec = "native";
  bool tls = false;
  std::string cert, key;
};

int serve_ws(const ServeWsOptions& o) {
  const auto options = o.limits.check(codec_option("--codec", o.codec));
  const auto ctx = server_tls_option(o.tls, o.cert, o.key);
  const std::string details =
      fmt::format("{}, loop {}, codec {}", ctx ? "wss" : "ws", o.serve.loop, o.codec);
  return serve_foreground(o.serve, "serve ws", details, [&](Loop& loop, const ListenAt& at) {
    return start_ws_server(loop, at, ctx.get(), options, ws_throughput_route());
  });
}

}  // namespace

void register_ws_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<WsOptions>();
  auto* cmd = app.add_subcommand(
      "ws", "WebSocket throughput per loop: download, upload, concurrent; ws:// or wss://");
  add_transfer_options(cmd, o->transfer, "Bytes per message");
  cmd->add_option("-d,--duration", o->duration_s,
                  "Move data for this long per direction and repeat instead of --total (10s, "
                  "500ms), as iperf3 -t; needs bench's own server")
      ->transform(seconds_option())
      ->excludes(cmd->get_option("--total"));
  add_session_limits(cmd, o->limits);
  cmd->add_option("--codec", o->codec,
                  "Client WebSocket framing: native (ours), wslay, a comma list, or all")
      ->capture_default_str();
  cmd->add_option("--server-codec", o->server_codec, "Framing of the built-in server")
      ->capture_default_str();
  cmd->add_option("--recv-queue", o->recv_queue,
                  "Received messages waiting for the consumer before reading pauses")
      ->capture_default_str();
  cmd->add_flag("--tls", o->tls, "wss:// to the built-in server (fresh self-signed certificate)");
  cmd->add_flag("-k,--insecure", o->insecure, "Do not verify the server's certificate");
  cmd->add_option("--cacert", o->cacert, "Trust this CA file (PEM) for wss://");
  cmd->add_option("--url", o->url, "ws(s)://HOST:PORT/ws of another server");
  add_run_options(cmd, o->run);
  add_csv_option(cmd, o->run);
  cmd->add_option("--peers", o->peers,
                  "Also run other clients on the same transfer: websockets, aiohttp, node-ws "
                  "(comma list) or all");
  cmd->add_flag("--peers-only", o->peers_only, "Run only the --peers clients, not ours");
  register_conformance(cmd, run);
  cmd->callback([o, &run, cmd] {
    if (cmd->got_subcommand("conformance")) return;  // its own callback runs it
    run = [o] { return run_ws(*o); };
  });
}

void register_serve_ws(CLI::App* serve, CommandRunner& run) {
  auto o = std::make_shared<ServeWsOptions>();
  auto* cmd = serve->add_subcommand("ws", "The WebSocket server: /ws?test=...&total=...&chunk=...");
  add_serve_options(cmd, o->serve, 8765);
  cmd->add_flag("--tls", o->tls, "wss:// with a fresh self-signed certificate");
  cmd->add_option("--cert", o->cert, "PEM certificate for wss://");
  cmd->add_option("--key", o->key, "PEM private key for wss://");
  add_session_limits(cmd, o->limits);
  cmd->add_option("--codec", o->codec, "WebSocket framing: native (ours) or wslay")
      ->capture_default_str();
  cmd->callback([o, &run] { run = [o] { return serve_ws(*o); }; });
}

}  // namespace lb
