#include "tools/echo/command.hpp"
#include "tools/serve/server_body.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>

#include "backends/registry.hpp"
#include "tools/echo/client_loops.hpp"
#include "tools/echo/fd_limit.hpp"
#include "tools/echo/peer_servers.hpp"
#include "tools/echo/protocol.hpp"
#include "tools/echo/run.hpp"
#include "tools/echo/table.hpp"
#include "tools/echo/tcp_server.hpp"
#include "tools/echo/ws_route.hpp"
#include "tools/measure/progress_line.hpp"
#include "tools/measure/repeats.hpp"
#include "tools/measure/resource_sampler.hpp"
#include "tools/net/lab.hpp"
#include "tools/options/options.hpp"
#include "tools/options/run_options.hpp"
#include "tools/options/size.hpp"
#include "tools/options/tls_options.hpp"
#include "tools/peers/runner.hpp"
#include "tools/process/interruption.hpp"
#include "tools/process/listening_program.hpp"
#include "tools/process/placement.hpp"
#include "tools/process/server_process.hpp"
#include "tools/process/this_process.hpp"
#include "tools/report/results.hpp"
#include "tools/report/row_verdicts.hpp"
#include "tools/serve/serve_options.hpp"
#include "tools/ws/builtin.hpp"
#include "tools/ws/codec_option.hpp"
#include "tools/ws/connect.hpp"

namespace lb {
namespace {

struct EchoOptions {
  RunOptions run;
  std::string transport = "tcp";
  std::string connections = "100";
  std::string size = "1KiB";
  int pipeline = 1;
  Pacing pacing;
  double duration_s = 10;
  double warmup_s = 2;
  int connect_batch = 100;
  std::uint64_t churn = 0;
  double interval_s = 0;
  int client_threads = 1;
  int server_threads = 1;
  std::string url;
  std::string codec = "native";
  std::string server_codec = "native";
  bool insecure = false;
  std::string cacert;
  std::string servers = "builtin";
  std::string peers;
  std::string max_msg = "1MiB";
};

// --max-msg of bench echo and serve echo.
std::uint64_t max_message_option(const std::string& text) {
  const auto n = size_option("--max-msg", text);
  if (n < 1 || n > (std::uint64_t{1} << 30))
    throw UsageError("--max-msg: a message limit is 1 byte to 1 GiB, got '" + text + "'");
  return n;
}

struct Checked {
  std::vector<EchoTransport> transports;
  std::vector<std::uint64_t> connections;
  std::vector<std::uint64_t> sizes;
  std::optional<WsUrl> url_ws;
  std::optional<Endpoint> url_tcp;
  std::vector<std::string> servers;  // builtin and peer echo servers
  ws::Codec codec = ws::Codec::native;
  ws::Codec server_codec = ws::Codec::native;
  std::uint64_t max_message = echo::kMaxMessage;
};

Checked check(const EchoOptions& o) {
  o.run.check();
  Checked c;
  if (!o.url.empty()) {
    if (o.url.rfind("tcp://", 0) == 0) {
      c.url_tcp = Endpoint::parse(o.url.substr(6));
      if (!c.url_tcp) throw UsageError("--url: expected tcp://HOST:PORT, got '" + o.url + "'");
      c.transports = {EchoTransport::tcp};
    } else {
      c.url_ws = url_option(o.url, "/echo");
      c.transports = {c.url_ws->tls ? EchoTransport::wss : EchoTransport::ws};
    }
  } else {
    for (const auto& t :
         checked_list("--transport", o.transport, {"tcp", "ws", "wss"}, "transport"))
      c.transports.push_back(parse_echo_transport(t));
  }
  for (const auto& text : split_list(o.connections)) {
    std::uint64_t n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || ptr != text.data() + text.size() || n < 1 || n > 1'000'000)
      throw UsageError("--connections: expected counts from 1 to 1000000, got '" + text + "'");
    c.connections.push_back(n);
  }
  c.max_message = max_message_option(o.max_msg);
  for (const auto& text : split_list(o.size)) {
    const auto n = size_option("--size", text);
    if (n < 1 || n > c.max_message)
      throw UsageError("--size: a message is 1 byte to --max-msg (" + o.max_msg + "), got '" +
                       text + "'");
    c.sizes.push_back(n);
  }
  if (o.pipeline < 1 || o.pipeline > 4096) throw UsageError("--pipeline must be 1 to 4096");
  o.pacing.check();
  if (o.duration_s <= 0 || o.warmup_s < 0)
    throw UsageError("--duration must be positive and --warmup at least 0");
  if (o.connect_batch < 1) throw UsageError("--connect-batch must be at least 1");
  if (o.churn && o.churn < static_cast<std::uint64_t>(o.pipeline))
    throw UsageError("--churn: a connection sends at least --pipeline messages (" +
                     std::to_string(o.pipeline) + ") before it is replaced");
  if (o.churn && !o.peers.empty())
    throw UsageError(
        "--churn and --peers do not go together: the peers' clients keep their "
        "connections");
  if (o.interval_s < 0 || !std::isfinite(o.interval_s))
    throw UsageError("--interval must be 0 (off) or more seconds");
  if (o.client_threads < 1 || o.client_threads > 256)
    throw UsageError("--client-threads must be 1 to 256");
  if (o.server_threads < 1 || o.server_threads > 256)
    throw UsageError("--server-threads must be 1 to 256");
  c.servers = checked_list("--servers", o.servers, echo_server_names(), "server");
  if ((c.url_ws || c.url_tcp) && o.servers != "builtin")
    throw UsageError("--servers and --url do not go together");
  for (const auto& name : split_list(o.peers)) {
    if (name.empty() || name == "all") continue;
    bool known = false;
    for (const auto& p : peer_catalog())
      known = known || ((p.bench == "echo-tcp" || p.bench == "echo-ws") && p.name == name);
    if (!known)
      throw UsageError("--peers: no echo client '" + name + "' (asyncio, aiohttp, node or all)");
  }
  c.codec = codec_option("--codec", o.codec);
  c.server_codec = codec_option("--server-codec", o.server_codec);
  if (static_cast<std::uint64_t>(o.client_threads) >
      *std::min_element(c.connections.begin(), c.connections.end()))
    throw UsageError("--client-threads: each client loop needs a connection; " +
                     std::to_string(o.client_threads) + " loops for " +
                     std::to_string(*std::min_element(c.connections.begin(), c.connections.end())) +
                     " connections");
  if ((c.url_ws || c.url_tcp) && o.server_threads != 1)
    throw UsageError("--server-threads is for the built-in server, not --url");
  check_fd_room(*std::max_element(c.connections.begin(), c.connections.end()), "bench echo");
  return c;
}

ServingOn start_tcp_echo(Loop& loop, const ListenAt& at) {
  auto server = std::make_shared<TcpEchoServer>(loop);
  server->listen(at.endpoint, at.reuse_port);
  return {server, server->port(), [server] {
            return fmt::format("{} connections, {} failed, {} echoed", server->connections(),
                               server->failed(), format_bytes(server->bytes_echoed()));
          }};
}

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

ws::SessionOptions echo_session(ws::Codec codec, std::size_t pipeline, std::uint64_t max_message) {
  ws::SessionOptions s;
  s.codec = codec;
  s.max_message = max_message;
  s.send_queue = std::max<std::size_t>(128, pipeline + 1);
  return s;
}

// The server of one transport that we started (ours or a peer's), with its
// side channels: CPU time and memory read from /proc.
struct EchoServer {
  std::optional<ServerProcess> tcp;
  std::optional<BuiltinWsServer> ws;
  std::optional<ListeningProgram> peer;
  bool started() const { return tcp || ws || peer; }
  pid_t pid() const { return tcp ? tcp->pid() : ws ? ws->pid() : peer ? peer->pid() : -1; }
  Endpoint endpoint() const {
    if (ws) return ws->endpoint();
    return Endpoint{placement().server_host, tcp ? tcp->port() : peer->port()};
  }
  std::optional<double> cpu_seconds() const {
    if (tcp) return tcp->cpu_seconds();
    if (ws) return ws->cpu_seconds();
    return cpu_seconds_of(pid());
  }
  std::optional<MemoryKib> memory() const {
    if (tcp) return tcp->memory();
    if (ws) return ws->memory();
    return memory_of(pid());
  }
  void stop() {
    if (tcp) tcp->stop();
    if (ws) ws->stop();
    if (peer) peer->stop();
  }
};

// Jain's fairness index: 1 when every connection echoed as many messages.
double jain_index(const std::vector<std::uint64_t>& counts) {
  double sum = 0, squares = 0;
  for (auto n : counts) {
    sum += static_cast<double>(n);
    squares += static_cast<double>(n) * static_cast<double>(n);
  }
  return squares > 0 ? sum * sum / (static_cast<double>(counts.size()) * squares) : 0;
}

// What the repeats of one row add up to beyond RunResult's own fields.
struct RowExtras {
  Histogram service_ns, connect_ns;
  std::vector<double> opened_per_s;
  SlotCount slots;
  std::optional<std::vector<std::uint64_t>> least_fair;
  double least_jain = 2;
  std::vector<double> client_kib_per_conn, server_kib_per_conn;
  std::vector<double> reconnects_per_s;
  std::vector<double> echoed_per_s;  // open loop: every echo in the window, per second
  nlohmann::json resources = nlohmann::json::array();  // --interval: one curve per repeat

  void add(const EchoRunResult& r, std::size_t connections) {
    service_ns.merge(r.service_ns);
    connect_ns.merge(r.connect_ns);
    if (r.open_s > 0) opened_per_s.push_back(static_cast<double>(connections) / r.open_s);
    slots.add(r.slots);
    if (r.window_s > 0) {
      reconnects_per_s.push_back(static_cast<double>(r.reconnects) / r.window_s);
      echoed_per_s.push_back(static_cast<double>(r.echoes_in_window) / r.window_s);
    }
    const double jain = jain_index(r.per_connection);
    if (jain < least_jain) {
      least_jain = jain;
      least_fair = r.per_connection;
    }
    const auto per_conn = [connections](std::uint64_t before, std::uint64_t after) {
      return after > before ? static_cast<double>(after - before) / static_cast<double>(connections)
                            : 0.0;
    };
    client_kib_per_conn.push_back(per_conn(r.rss_before_open_kib, r.rss_open_kib));
    if (r.server_rss_before_open_kib && r.server_rss_open_kib)
      server_kib_per_conn.push_back(
          per_conn(*r.server_rss_before_open_kib, *r.server_rss_open_kib));
  }

  nlohmann::json json(const RunResult& row, const Pacing& pacing, std::uint64_t churn,
                      const EchoServer* server) const {
    nlohmann::json j;
    if (churn && !reconnects_per_s.empty())
      j["churn"] = {{"messages_per_connection", churn},
                    {"reconnects_per_s", to_json(spread_of(reconnects_per_s))}};
    if (!resources.empty()) j["resources"] = resources;
    j["service_latency_us"] = percentiles_us(service_ns);
    j["connect_ms"] = {{"p50", static_cast<double>(connect_ns.percentile(0.5)) / 1e6},
                       {"p99", static_cast<double>(connect_ns.percentile(0.99)) / 1e6},
                       {"max", static_cast<double>(connect_ns.max()) / 1e6}};
    if (!opened_per_s.empty()) j["opened_per_s"] = to_json(spread_of(opened_per_s));
    if (pacing.open()) {
      j["rate"] = pacing_json(pacing, slots, median_rate(row));
      if (!echoed_per_s.empty()) j["rate"]["echoed"] = spread_of(echoed_per_s).median;
    }
    if (least_fair && !least_fair->empty()) {
      auto counts = *least_fair;
      std::sort(counts.begin(), counts.end());
      j["fairness"] = {{"min", counts.front()},
                       {"median", counts[counts.size() / 2]},
                       {"max", counts.back()},
                       {"jain", least_jain}};
    }
    if (!row.repeats.empty() && row.repeats.front().server_cpu_s) {
      std::vector<double> us;
      for (const auto& r : row.repeats)
        if (r.requests && r.server_cpu_s)
          us.push_back(*r.server_cpu_s * 1e6 / static_cast<double>(r.requests));
      if (!us.empty()) j["server_cpu_us_per_msg"] = to_json(spread_of(us));
    }
    nlohmann::json rss = {{"client_peak", peak_rss_kib()}};
    if (!client_kib_per_conn.empty())
      rss["client_per_connection"] = spread_of(client_kib_per_conn).median;
    if (server) {
      if (auto m = server->memory()) rss["server_peak"] = m->peak;
      if (!server_kib_per_conn.empty())
        rss["server_per_connection"] = spread_of(server_kib_per_conn).median;
    }
    j["rss_kib"] = rss;
    return j;
  }
};

int run_echo(const EchoOptions& o) {
  const Interruption interruption;  // before any thread or server starts
  const std::string started = utc_timestamp();
  const Checked c = check(o);
  const auto loops = o.run.client_loops();
  const std::string reference = reference_loop(loops, o.run.reference);
  auto shuffle = o.run.shuffle();
  if (!c.url_ws && !c.url_tcp) o.run.check_server_loop();
  const bool peer_servers = std::any_of(c.servers.begin(), c.servers.end(), [](const auto& name) {
    return find_peer_echo_server(name) != nullptr;
  });
  const auto lab =
      net::lab_for(o.run.net, !c.url_ws && !c.url_tcp, !o.peers.empty() || peer_servers);

  std::vector<RunResult> runs;
  std::uint64_t errors = 0;
  for (const auto transport : c.transports) {
    for (const auto& server_name : c.servers) {
      const PeerEchoServer* peer = find_peer_echo_server(server_name);
      if (peer) {
        if (auto why = peer_echo_server_unavailable(*peer, transport); !why.empty()) {
          std::fprintf(stderr, "bench: server %s: %s, skipped for %s\n", server_name.c_str(),
                       why.c_str(), transport_name(transport));
          continue;
        }
      }
      EchoServer server;
      EchoTarget target;
      target.transport = transport;
      target.session = echo_session(c.codec, static_cast<std::size_t>(o.pipeline), c.max_message);
      tls::SslCtxPtr client_tls;
      std::string target_name = "builtin";
      if (c.url_tcp) {
        target.server = *c.url_tcp;
        target_name = o.url;
      } else if (c.url_ws) {
        target.server = c.url_ws->endpoint;
        target.host = c.url_ws->host;
        target.path = c.url_ws->path;
        target_name = o.url;
      } else if (peer) {
        server.peer.emplace(
            peer_echo_server_argv(*peer, transport, o.run.server_cpu),
            (std::filesystem::temp_directory_path() /
             ("loopbench-echo-" + server_name + "-" + std::to_string(this_pid()) + ".log"))
                .string(),
            std::chrono::seconds(10));
        target_name = server_name;
      } else if (transport == EchoTransport::tcp) {
        server.tcp.emplace(
            loop_server_body(o.run.server_loop, o.run.server_cpu, start_tcp_echo, o.server_threads),
            std::chrono::seconds(10));
      } else {
        server.ws.emplace(o.run.server_loop, o.run.server_cpu, transport == EchoTransport::wss,
                          echo_session(c.server_codec, 4096, c.max_message), ws_echo_route(),
                          o.server_threads);
      }
      const bool builtin = server.tcp || server.ws;
      // A server process's first row gets one uncounted repeat: a fresh
      // Python echo server ran its first 2-3 s at a tenth of its later speed.
      bool first_row = server.started();
      if (server.started()) {
        target.server = server.endpoint();
        target.host = "localhost";
      }
      if (transport == EchoTransport::wss) {
        client_tls =
            ws_client_tls(o.insecure, o.cacert, server.ws ? server.ws->certificate() : nullptr);
        target.tls = client_tls.get();
      }
      o.run.pin_client();

      for (const auto connections : c.connections) {
        for (const auto size : c.sizes) {
          RunResult base;
          base.bench = "echo";
          base.mode = o.pacing.open() ? "open" : "closed";
          base.tls = transport == EchoTransport::wss;
          base.size_bytes = size;
          base.params = o.run.params();
          base.params.erase("warmup");
          base.params.update({{"transport", transport_name(transport)},
                              {"connections", connections},
                              {"size_bytes", size},
                              {"pipeline", o.pipeline},
                              {"rate", o.pacing.rate},
                              {"arrival", o.pacing.arrival},
                              {"duration_s", o.duration_s},
                              {"warmup_s", o.warmup_s},
                              {"client_threads", o.client_threads},
                              {"connect_batch", o.connect_batch},
                              {"churn", o.churn},
                              {"target", target_name},
                              {"server", c.url_ws || c.url_tcp ? "external" : server_name}});
          base.params["server_loop"] = builtin ? nlohmann::json(o.run.server_loop) : nullptr;
          base.params["server_threads"] = builtin ? nlohmann::json(o.server_threads) : nullptr;
          if (builtin && transport != EchoTransport::tcp)
            base.params["server_codec"] = ws::codec_name(c.server_codec);

          RowRounds rounds;
          for (const auto& loop_name : loops) {
            RunResult row = base;
            row.loop = loop_name;
            if (transport != EchoTransport::tcp) row.codec = ws::codec_name(c.codec);

            EchoRunSpec spec;
            spec.target = target;
            spec.connections = connections;
            spec.size = size;
            spec.pipeline = static_cast<std::size_t>(o.pipeline);
            spec.pacing = o.pacing;
            spec.warmup = std::chrono::nanoseconds(static_cast<std::int64_t>(o.warmup_s * 1e9));
            spec.duration = std::chrono::nanoseconds(static_cast<std::int64_t>(o.duration_s * 1e9));
            spec.timeout = o.run.timeout();
            spec.connect_batch = static_cast<std::size_t>(o.connect_batch);
            spec.churn = o.churn;
            if (server.started()) {
              spec.server_cpu = [&server] { return server.cpu_seconds(); };
              spec.server_rss_kib = [&server]() -> std::optional<std::uint64_t> {
                if (auto m = server.memory()) return m->rss;
                return std::nullopt;
              };
            }

            auto extras = std::make_shared<RowExtras>();
            std::shared_ptr<Loop> loop = make_loop(loop_name);
            const std::string label = fmt::format("{} {} {}x{}", transport_name(transport),
                                                  loop_name, connections, format_bytes(size));
            rounds.add(
                std::move(row), label,
                [&, loop, loop_name, spec, extras, connections, size](
                    const std::string& progress_label, bool counted) {
                  EchoRunResult r;
                  {
                    EchoClientLoops client(*loop, loop_name, spec,
                                           static_cast<std::size_t>(o.client_threads));
                    ProgressLine progress(
                        *loop, [&client] { return client.bytes_so_far(); }, progress_label,
                        8.0 * (1 << 20), "MiB/s");
                    std::optional<ResourceSampler> sampler;
                    if (o.interval_s > 0)
                      sampler.emplace(
                          *loop,
                          std::chrono::nanoseconds(static_cast<std::int64_t>(o.interval_s * 1e9)),
                          server.started() ? server.pid() : -1, [&client, size] {
                            return fmt::format("{} echoes  {} reconnects",
                                               client.bytes_so_far() / size,
                                               client.reconnects_so_far());
                          });
                    r = client.run();
                    if (sampler && counted) extras->resources.push_back(sampler->json());
                  }
                  loop->run_nowait();  // let the closed connections go
                  Attempt a = Attempt::of_transfer(r.error);
                  a.connections = connections;
                  a.repeat = {r.window_s,   r.messages * size, r.messages,
                              r.cpu.user_s, r.cpu.sys_s,       r.server_cpu_s};
                  a.loop_lag_ns = r.loop_lag_ns;
                  a.latency_ns = r.latency_ns;
                  if (counted && r.error.empty()) extras->add(r, connections);
                  return a;
                },
                [&, extras](RunResult& done) {
                  done.summary_extra =
                      extras->json(done, o.pacing, o.churn, server.started() ? &server : nullptr);
                });
          }
          // The peers' clients, on the same server and CPU, in the same
          // rounds: closed loop over tcp and ws.
          const auto peers = echo_peers(o.peers, transport);
          std::vector<RunResult> not_installed;
          if (!peers.empty() && !o.pacing.open()) {
            PeerWorkload w;
            w.args = {"--url",
                      transport == EchoTransport::tcp
                          ? "tcp://" + target.server.to_string()
                          : "ws://" + target.server.to_string() + target.path,
                      "--connections",
                      std::to_string(connections),
                      "--size",
                      std::to_string(size),
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
            if (server.started()) w.server_cpu = [&server] { return server.cpu_seconds(); };
            for (const auto* client : peers)
              for (auto& p : peer_rows(*client, w)) {
                if (!p.attempt) {
                  not_installed.push_back(std::move(p.row));
                  continue;
                }
                const std::string label =
                    fmt::format("{} {} {} {}x{}", transport_name(transport), p.row.client,
                                p.row.loop, connections, format_bytes(size));
                rounds.add(std::move(p.row), label, std::move(p.attempt), std::move(p.finish));
              }
          }
          // The first rows warm the machine up (the warm-up is a time of
          // each attempt: --warmup), every loop of them once.
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

struct ServeEchoOptions {
  ServeOptions serve;
  std::string max_msg = "1MiB";
  std::string transport = "tcp";
  std::string codec = "native";
  std::string cert, key;
};

void register_serve_echo(CLI::App* serve, CommandRunner& run) {
  auto o = std::make_shared<ServeEchoOptions>();
  auto* cmd = serve->add_subcommand(
      "echo", "The 'bench echo' server: tcp echoes every byte; ws and wss serve /echo");
  add_serve_options(cmd, o->serve, 5300);
  cmd->add_option("--transport", o->transport,
                  "tcp, ws or wss (a fresh self-signed certificate "
                  "unless --cert and --key)")
      ->capture_default_str();
  cmd->add_option("--codec", o->codec, "WebSocket framing: native or wslay")->capture_default_str();
  cmd->add_option("--max-msg", o->max_msg, "Largest message accepted (1009 beyond), up to 1 GiB")
      ->capture_default_str();
  cmd->add_option("--cert", o->cert, "PEM certificate for wss://");
  cmd->add_option("--key", o->key, "PEM private key for wss://");
  cmd->callback([o, &run] {
    run = [o] {
      const auto transport =
          checked_list("--transport", o->transport, {"tcp", "ws", "wss"}, "transport");
      if (transport.size() != 1) throw UsageError("--transport: serve one of tcp, ws or wss");
      raise_fd_limit();
      if (transport.front() == "tcp")
        return serve_foreground(o->serve, "serve echo", "tcp, loop " + o->serve.loop,
                                start_tcp_echo);
      const auto options =
          echo_session(codec_option("--codec", o->codec), 4096, max_message_option(o->max_msg));
      const auto ctx = server_tls_option(transport.front() == "wss", o->cert, o->key);
      return serve_foreground(
          o->serve, "serve echo",
          fmt::format("{} /echo, loop {}, codec {}", transport.front(), o->serve.loop, o->codec),
          [&](Loop& loop, const ListenAt& at) {
            return start_ws_server(loop, at, ctx.get(), options, ws_echo_route());
          });
    };
  });
}

}  // namespace lb
