#include "tools/echo/command.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "backends/registry.hpp"
#include "tools/echo/client/client_loops.hpp"
#include "tools/echo/options.hpp"
#include "tools/echo/row_stats.hpp"
#include "tools/echo/server/peer_servers.hpp"
#include "tools/echo/server/started_server.hpp"
#include "tools/echo/server/ws_route.hpp"
#include "tools/echo/table.hpp"
#include "tools/measure/progress_line.hpp"
#include "tools/measure/repeats.hpp"
#include "tools/measure/resource_sampler.hpp"
#include "tools/net/emulated_path.hpp"
#include "tools/options/options.hpp"
#include "tools/options/size.hpp"
#include "tools/peers/runner.hpp"
#include "tools/process/interruption.hpp"
#include "tools/process/this_process.hpp"
#include "tools/report/results.hpp"
#include "tools/report/row_verdicts.hpp"
#include "tools/serve/server_body.hpp"
#include "tools/ws/codec_option.hpp"

namespace lb {
namespace {

// The --peers clients that speak `transport` (asyncio: tcp; aiohttp: ws;
// node: both); none over wss.
std::vector<const PeerClient*> echo_peers(const std::string& list, EchoTransport transport) {
  std::vector<const PeerClient*> out;
  const std::string bench = std::string("echo-") + transport_name(transport);
  const auto names = split_list(list);
  for (const auto& p : peer_catalog())
    if (p.bench == bench && std::any_of(names.begin(), names.end(), [&](const std::string& n) {
          return n == "all" || n == p.name;
        }))
      out.push_back(&p);
  return out;
}

// Where one transport's rows go: the --url, a peer's server or our own,
// started here into `server`. Returns the name rows record as "target".
std::string start_target(const EchoOptions& o, const EchoPlan& c, const Placement& where,
                         EchoTransport transport, const std::string& server_name,
                         StartedEchoServer& server, EchoTarget& target,
                         tls::SslCtxPtr& client_tls) {
  server.host = where.server_host;
  target.transport = transport;
  target.session = echo_session(c.codec, static_cast<std::size_t>(o.pipeline), c.max_message);
  std::string name = "builtin";
  if (c.url_tcp) {
    target.server = *c.url_tcp;
    name = o.url;
  } else if (c.url_ws) {
    target.server = c.url_ws->endpoint;
    target.host = c.url_ws->host;
    target.path = c.url_ws->path;
    name = o.url;
  } else if (const PeerEchoServer* peer = find_peer_echo_server(server_name)) {
    server.peer.emplace(
        peer_echo_server_argv(*peer, transport, o.run.server_cpu),
        (std::filesystem::temp_directory_path() /
         ("loopbench-echo-" + server_name + "-" + std::to_string(this_pid()) + ".log"))
            .string(),
        std::chrono::seconds(10));
    name = server_name;
  } else if (transport == EchoTransport::tcp) {
    server.tcp.emplace(loop_server_body(where, o.run.server_loop, o.run.server_cpu, start_tcp_echo,
                                        o.server_threads),
                       std::chrono::seconds(10));
  } else {
    server.ws.emplace(where, o.run.server_loop, o.run.server_cpu, transport == EchoTransport::wss,
                      echo_session(c.server_codec, 4096, c.max_message), ws_echo_route(),
                      o.server_threads);
  }
  if (server.started()) {
    target.server = server.endpoint();
    target.host = "localhost";
  }
  if (transport == EchoTransport::wss) {
    client_tls =
        ws_client_tls(o.insecure, o.cacert, server.ws ? server.ws->certificate() : nullptr);
    target.tls = client_tls.get();
  }
  return name;
}

// One cell of the run: a transport's target, a connection count and a
// message size. Its rows (each client loop, each peer client) are
// measured in the same rounds.
struct EchoCell {
  const EchoOptions& o;
  const EchoPlan& plan;
  const Placement& where;
  EchoTransport transport;
  StartedEchoServer& server;
  const EchoTarget& target;
  std::size_t connections = 0;
  std::uint64_t size = 0;
  bool builtin() const { return server.tcp || server.ws; }
};

RunResult cell_row(const EchoCell& cell, const std::string& target_name,
                   const std::string& server_name) {
  const EchoOptions& o = cell.o;
  const bool builtin = cell.builtin();
  RunResult base;
  base.bench = "echo";
  base.mode = o.pacing.open() ? "open" : "closed";
  base.tls = cell.transport == EchoTransport::wss;
  base.size_bytes = cell.size;
  base.params = o.run.params(cell.where);
  base.params.erase("warmup");
  base.params.update(
      {{"transport", transport_name(cell.transport)},
       {"connections", cell.connections},
       {"size_bytes", cell.size},
       {"pipeline", o.pipeline},
       {"rate", o.pacing.rate},
       {"arrival", o.pacing.arrival},
       {"duration_s", o.duration_s},
       {"warmup_s", o.warmup_s},
       {"client_threads", o.client_threads},
       {"connect_batch", o.connect_batch},
       {"churn", o.churn},
       {"target", target_name},
       {"server", cell.plan.url_ws || cell.plan.url_tcp ? "external" : server_name}});
  base.params["server_loop"] = builtin ? nlohmann::json(o.run.server_loop) : nullptr;
  base.params["server_threads"] = builtin ? nlohmann::json(o.server_threads) : nullptr;
  if (builtin && cell.transport != EchoTransport::tcp)
    base.params["server_codec"] = ws::codec_name(cell.plan.server_codec);
  return base;
}

EchoRunSpec cell_spec(const EchoCell& cell) {
  const EchoOptions& o = cell.o;
  EchoRunSpec spec;
  spec.target = cell.target;
  spec.connections = cell.connections;
  spec.size = cell.size;
  spec.pipeline = static_cast<std::size_t>(o.pipeline);
  spec.pacing = o.pacing;
  spec.warmup = std::chrono::nanoseconds(static_cast<std::int64_t>(o.warmup_s * 1e9));
  spec.duration = std::chrono::nanoseconds(static_cast<std::int64_t>(o.duration_s * 1e9));
  spec.timeout = o.run.timeout();
  spec.connect_batch = static_cast<std::size_t>(o.connect_batch);
  spec.churn = o.churn;
  if (cell.server.started()) {
    StartedEchoServer* server = &cell.server;
    spec.server_cpu = [server] { return server->cpu_seconds(); };
    spec.server_rss_kib = [server]() -> std::optional<std::uint64_t> {
      if (auto m = server->memory()) return m->rss;
      return std::nullopt;
    };
  }
  return spec;
}

// One attempt of our client on `loop`: --interval's samples and the row's
// statistics kept when `counted`.
AttemptResult echo_attempt(const EchoCell& cell, Loop& loop, const LoopKind& kind,
                           const EchoRunSpec& spec, EchoRowStats& stats,
                           const std::string& progress_label, bool counted) {
  const EchoOptions& o = cell.o;
  const auto size = cell.size;
  EchoRunResult r;
  {
    EchoClientLoops client(loop, kind, spec, static_cast<std::size_t>(o.client_threads));
    ProgressLine progress(
        loop, [&client] { return client.bytes_so_far(); }, progress_label, 8.0 * (1 << 20),
        "MiB/s");
    std::optional<ResourceSampler> sampler;
    if (o.interval_s > 0)
      sampler.emplace(loop, std::chrono::nanoseconds(static_cast<std::int64_t>(o.interval_s * 1e9)),
                      cell.server.started() ? cell.server.pid() : -1, [&client, size] {
                        return fmt::format("{} echoes  {} reconnects", client.bytes_so_far() / size,
                                           client.reconnects_so_far());
                      });
    r = client.run();
    if (sampler && counted) stats.resources.push_back(sampler->json());
  }
  loop.run_nowait();  // let the closed connections go
  AttemptResult a = AttemptResult::of_transfer(r.error);
  a.connections = cell.connections;
  a.repeat = {r.window_s, r.messages * size, r.messages, r.cpu.user_s, r.cpu.sys_s, r.server_cpu_s};
  a.loop_lag_ns = r.loop_lag_ns;
  a.latency_ns = r.latency_ns;
  if (counted && r.error.empty()) stats.add(r, cell.connections);
  return a;
}

// Our client's rows, one per loop.
void add_loop_rows(RowRounds& rounds, const EchoCell& cell, const std::vector<LoopKind>& loops,
                   const RunResult& base) {
  const EchoRunSpec spec = cell_spec(cell);
  for (const auto& kind : loops) {
    const std::string& loop_name = kind.name;
    RunResult row = base;
    row.loop = loop_name;
    if (cell.transport != EchoTransport::tcp) row.codec = ws::codec_name(cell.plan.codec);
    auto stats = std::make_shared<EchoRowStats>();
    std::shared_ptr<Loop> loop = kind.make();
    const std::string label = fmt::format("{} {} {}x{}", transport_name(cell.transport), loop_name,
                                          cell.connections, format_bytes(cell.size));
    rounds.add(
        std::move(row), label,
        [cell, loop, kind, spec, stats](const std::string& progress_label, bool counted) {
          return echo_attempt(cell, *loop, kind, spec, *stats, progress_label, counted);
        },
        [cell, stats](RunResult& done) {
          const bool server = cell.server.started();
          done.summary_extra = stats->json(done, cell.o.pacing, cell.o.churn, server,
                                           server ? cell.server.memory() : std::nullopt);
        });
  }
}

// The peers' clients, on the same server and CPU, in the same rounds:
// closed loop over tcp and ws. Returns the rows of peers not installed.
std::vector<RunResult> add_peer_rows(RowRounds& rounds, const EchoCell& cell,
                                     const RunResult& base) {
  const EchoOptions& o = cell.o;
  std::vector<RunResult> not_installed;
  const auto peers = echo_peers(o.peers, cell.transport);
  if (peers.empty() || o.pacing.open()) return not_installed;
  PeerWorkload w;
  w.args = {"--url",
            cell.transport == EchoTransport::tcp
                ? "tcp://" + cell.target.server.to_string()
                : "ws://" + cell.target.server.to_string() + cell.target.path,
            "--connections",
            std::to_string(cell.connections),
            "--size",
            std::to_string(cell.size),
            "--pipeline",
            std::to_string(o.pipeline),
            "--duration",
            fmt::format("{}", o.duration_s),
            "--warmup",
            fmt::format("{}", o.warmup_s),
            "--timeout",
            std::to_string(o.run.timeout().count() / 1000)};
  w.row = base;
  w.row.params["client_threads"] = 1;
  w.row.params.erase("connect_batch");
  if (cell.server.started()) {
    StartedEchoServer* server = &cell.server;
    w.server_cpu = [server] { return server->cpu_seconds(); };
  }
  for (const auto* client : peers)
    for (auto& p : peer_rows(*client, w)) {
      if (!p.attempt) {
        not_installed.push_back(std::move(p.row));
        continue;
      }
      const std::string label =
          fmt::format("{} {} {} {}x{}", transport_name(cell.transport), p.row.client, p.row.loop,
                      cell.connections, format_bytes(cell.size));
      rounds.add(std::move(p.row), label, std::move(p.attempt), std::move(p.finish));
    }
  return not_installed;
}

int run_echo(const EchoOptions& o) {
  const Interruption interruption;  // before any thread or server starts
  const std::string started = utc_timestamp();
  const EchoPlan c = check_echo_options(o);
  const auto loops = o.run.client_loops();
  const std::string reference = reference_loop(names_of(loops), o.run.reference);
  auto shuffle = o.run.shuffle();
  if (!c.url_ws && !c.url_tcp) o.run.check_server_loop();
  const bool peer_servers = std::any_of(c.servers.begin(), c.servers.end(), [](const auto& name) {
    return find_peer_echo_server(name) != nullptr;
  });
  const auto net_path =
      net::emulated_path_for(o.run.net, !c.url_ws && !c.url_tcp, !o.peers.empty() || peer_servers);
  const Placement where = net::placement_of(net_path.get());

  std::vector<RunResult> runs;
  std::uint64_t errors = 0;
  for (const auto transport : c.transports) {
    for (const auto& server_name : c.servers) {
      if (const PeerEchoServer* peer = find_peer_echo_server(server_name)) {
        if (auto why = peer_echo_server_unavailable(*peer, transport); !why.empty()) {
          std::fprintf(stderr, "bench: server %s: %s, skipped for %s\n", server_name.c_str(),
                       why.c_str(), transport_name(transport));
          continue;
        }
      }
      StartedEchoServer server;
      EchoTarget target;
      tls::SslCtxPtr client_tls;
      const std::string target_name =
          start_target(o, c, where, transport, server_name, server, target, client_tls);
      o.run.pin_client();
      // A server process's first row gets one uncounted repeat: a fresh
      // Python echo server runs its first seconds far slower than later.
      bool first_row = server.started();
      for (const auto connections : c.connections) {
        for (const auto size : c.sizes) {
          const EchoCell cell{o, c, where, transport, server, target, connections, size};
          const RunResult base = cell_row(cell, target_name, server_name);
          RowRounds rounds;
          add_loop_rows(rounds, cell, loops, base);
          auto not_installed = add_peer_rows(rounds, cell, base);
          for (auto& row : rounds.run(first_row ? 1 : 0, o.run.repeat, shuffle)) {
            errors += row.errors;
            runs.push_back(std::move(row));
          }
          first_row = false;
          std::move(not_installed.begin(), not_installed.end(), std::back_inserter(runs));
        }
      }
      server.stop();
    }
  }
  const auto verdicts = judge_rows(runs, reference, o.run.margin_pct / 100, o.run.seed);
  add_vs_ours(runs, verdicts.comparisons);
  print_echo_table(o.run.table_stream(), runs,
                   EchoTableContext{c.url_ws || c.url_tcp ? o.url : "builtin", o.run.server_loop,
                                    o.run.server_cpu, o.run.client_cpu, o.run.repeat});
  std::fputs(verdicts.text().c_str(), o.run.table_stream());
  if (!o.run.json.empty()) write_results_file(o.run.json, runs, started, verdicts.json());
  if (!o.run.csv.empty()) write_echo_csv(o.run.csv, runs);
  return interrupted_or(errors ? 1 : 0, runs, o.run.repeat);
}

}  // namespace

void register_echo_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<EchoOptions>();
  o->run.repeat = 3;
  o->run.warmup = 0;
  auto* cmd = app.add_subcommand(
      "echo",
      "Request/response echo over tcp, ws or wss: many connections, small messages, closed or "
      "open loop (latency from each message's intended send time)");
  RunOptionHelp help;
  help.warmup = nullptr;
  help.timeout = "Fail after this many seconds in which nothing moved";
  add_run_options(cmd, o->run, help);
  cmd->add_option("--transport", o->transport,
                  "tcp (length-prefixed), ws, wss, a comma list, or all")
      ->capture_default_str();
  cmd->add_option("-c,--connections", o->connections,
                  "Connections, a comma list (e.g. 1,100,10000)")
      ->capture_default_str();
  cmd->add_option("--size", o->size, "Message size, a comma list (e.g. 64,1KiB,16KiB; up to 1MiB)")
      ->capture_default_str();
  cmd->add_option("--pipeline", o->pipeline, "Messages in flight per connection")
      ->capture_default_str();
  add_pacing_options(cmd, o->pacing, "messages", "connections");
  cmd->add_option("-d,--duration", o->duration_s, "Seconds measured per repeat")
      ->transform(seconds_option())
      ->capture_default_str();
  cmd->add_option("--warmup", o->warmup_s, "Seconds of traffic before each repeat's measurement")
      ->transform(seconds_option())
      ->capture_default_str();
  cmd->add_option("--connect-batch", o->connect_batch, "Connects in progress at once")
      ->capture_default_str();
  cmd->add_option("--churn", o->churn,
                  "Messages per connection before it closes politely and a new one takes its "
                  "place (0: connections stay); with --interval, a soak")
      ->check(unsigned_count())
      ->capture_default_str();
  cmd->add_option("--interval", o->interval_s,
                  "Every this many seconds, print the client's and the built-in server's "
                  "resident set and open descriptors (kept in --json as resources; 0: off)")
      ->transform(seconds_option())
      ->capture_default_str();
  cmd->add_option("-t,--client-threads,--threads", o->client_threads,
                  "Client loops, one thread each, sharing the connections and the rate")
      ->capture_default_str();
  cmd->add_option("--server-threads", o->server_threads,
                  "Loop threads of the built-in server, each with its own listener "
                  "(SO_REUSEPORT)")
      ->capture_default_str();
  cmd->add_option("--url", o->url, "tcp://HOST:PORT or ws(s)://HOST:PORT/echo of another server");
  cmd->add_option("--codec", o->codec, "Client WebSocket framing: native or wslay")
      ->capture_default_str();
  cmd->add_option("--server-codec", o->server_codec, "Framing of the built-in ws/wss server")
      ->capture_default_str();
  cmd->add_option("--max-msg", o->max_msg,
                  "Largest WebSocket message either end accepts (1009 beyond), up to 1 GiB; "
                  "--size must fit")
      ->capture_default_str();
  cmd->add_flag("-k,--insecure", o->insecure, "Do not verify the server's certificate (wss)");
  cmd->add_option("--cacert", o->cacert, "Trust this CA file (PEM) for wss://");
  cmd->add_option("--csv", o->run.csv, "Write one CSV line per row to FILE");
  cmd->add_option("--servers", o->servers,
                  "Echo servers our client drives: builtin, asyncio, asyncio-streams, uvloop, "
                  "uvloop-streams (tcp), node (tcp, ws); a comma list, or all")
      ->capture_default_str();
  cmd->add_option("--peers", o->peers,
                  "Also drive each server with other clients, closed loop: asyncio (tcp, the "
                  "protocol API on asyncio and uvloop), aiohttp (ws, asyncio and uvloop), node "
                  "(net for tcp, ws for ws); a comma list, or all");
  cmd->callback([o, &run] { run = [o] { return run_echo(*o); }; });
}

}  // namespace lb
