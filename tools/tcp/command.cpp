#include "tools/tcp/command.hpp"
#include "tools/serve/server_body.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <optional>

#include "backends/registry.hpp"
#include "tools/measure/measured_transfer.hpp"
#include "tools/measure/repeats.hpp"
#include "tools/net/emulated_path.hpp"
#include "tools/options/options.hpp"
#include "tools/options/run_options.hpp"
#include "tools/process/interruption.hpp"
#include "tools/process/placement.hpp"
#include "tools/process/server_process.hpp"
#include "tools/report/results.hpp"
#include "tools/report/row_verdicts.hpp"
#include "tools/serve/serve_options.hpp"
#include "tools/tcp/client.hpp"
#include "tools/tcp/server.hpp"
#include "tools/tcp/table.hpp"

namespace lb {
namespace {

struct TcpOptions {
  RunOptions run;
  TransferOptions transfer;
  std::string connect;
  std::optional<double> duration_s;  // -d: each direction for a time, not --total
};

ServingOn start_tcp_server(Loop& loop, const ListenAt& at) {
  auto server = std::make_shared<TcpBenchServer>(loop);
  server->listen(at.endpoint, at.reuse_port);
  return {server, server->port(), [server] {
            return fmt::format("{} transfers served, {} failed", server->finished_sessions(),
                               server->failed_sessions());
          }};
}

int run_tcp(const TcpOptions& o) {
  const Interruption interruption;  // before any thread or server starts
  const std::string started = utc_timestamp();
  const auto t = o.transfer.check();
  o.run.check();
  if (o.duration_s && *o.duration_s <= 0) throw UsageError("--duration must be positive");
  const auto loops = o.run.client_loops();
  const std::string reference = reference_loop(names_of(loops), o.run.reference);
  const auto net_path = net::emulated_path_for(o.run.net, o.connect.empty(), false);
  const Placement where = net::placement_of(net_path.get());

  Endpoint server_at{where.server_host, 0};
  std::optional<ServerProcess> server;
  std::string target = "builtin";
  if (!o.connect.empty()) {
    const std::string_view scheme = "tcp://";
    std::string_view address = o.connect;
    if (address.substr(0, scheme.size()) == scheme) address.remove_prefix(scheme.size());
    auto parsed = Endpoint::parse(address);
    if (!parsed)
      throw UsageError("--connect: expected HOST:PORT or tcp://HOST:PORT, got '" + o.connect + "'");
    server_at = *parsed;
    target = server_at.to_string();
  } else {
    o.run.check_server_loop();
    server.emplace(loop_server_body(where, o.run.server_loop, o.run.server_cpu, start_tcp_server),
                   std::chrono::seconds(10));
    server_at.port = server->port();
  }
  o.run.pin_client();

  std::vector<RunResult> runs;
  std::uint64_t errors = 0;
  auto shuffle = o.run.shuffle();
  for (const auto& direction : t.directions) {
    TcpTransferSpec spec;
    spec.server = server_at;
    spec.chunk = t.chunk;
    spec.download = direction != "upload" ? t.total : 0;
    spec.upload = direction != "download" ? t.total : 0;
    spec.idle_timeout = o.run.timeout();
    if (o.duration_s)
      spec.duration = std::chrono::nanoseconds(static_cast<std::int64_t>(*o.duration_s * 1e9));
    RowRounds rounds;
    for (const auto& kind : loops) {
      const std::string& loop_name = kind.name;
      RunResult run;
      run.bench = "tcp";
      run.loop = loop_name;
      run.mode = direction;
      run.size_bytes = o.duration_s ? 0 : t.total;
      run.params = o.run.params(where);
      run.params.update(
          {{"total_bytes", o.duration_s ? nlohmann::json(nullptr) : nlohmann::json(t.total)},
           {"chunk_bytes", t.chunk},
           {"target", target}});
      if (o.duration_s) run.params["duration_s"] = *o.duration_s;
      if (!server)
        run.params["server_loop"] = nullptr;
      else
        run.params["server_loop"] = o.run.server_loop;
      std::shared_ptr<Loop> loop = kind.make();
      rounds.add(std::move(run), loop_name + " " + direction,
                 [loop, spec](const std::string& label, bool) {
                   const auto m = measure_transfer<TcpTransfer>(*loop, spec, label);
                   AttemptResult a = AttemptResult::of_transfer(m.result.error);
                   a.repeat = {m.result.duration_s, m.result.received + m.result.sent, 0,
                               m.cpu.user_s, m.cpu.sys_s};
                   a.loop_lag_ns = m.loop_lag_ns;
                   return a;
                 });
    }
    for (auto& run : rounds.run(o.run.warmup, o.run.repeat, shuffle)) {
      errors += run.errors;
      runs.push_back(std::move(run));
    }
  }
  if (server) server->stop();
  print_tcp_table(o.run.table_stream(), runs,
                  TcpTableContext{target, o.run.server_loop, o.run.server_cpu, o.run.client_cpu,
                                  t.chunk, o.run.warmup});
  const auto verdicts = judge_rows(runs, reference, o.run.margin_pct / 100, o.run.seed);
  std::fputs(verdicts.text().c_str(), o.run.table_stream());
  if (!o.run.json.empty()) write_results_file(o.run.json, runs, started, verdicts.json());
  if (!o.run.csv.empty()) write_results_csv(o.run.csv, runs);
  return interrupted_or(errors ? 1 : 0, runs, o.run.repeat);
}

}  // namespace

void register_tcp_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<TcpOptions>();
  auto* cmd = app.add_subcommand(
      "tcp", "Raw TCP stream throughput on each event loop (like iperf3, on our loops)");
  add_transfer_options(cmd, o->transfer, "Bytes per write (the server's repeated random chunk)");
  cmd->add_option("-d,--duration", o->duration_s,
                  "Move data for this long per direction and repeat instead of --total (10s, "
                  "500ms), as iperf3 -t")
      ->transform(seconds_option())
      ->excludes(cmd->get_option("--total"));
  add_run_options(cmd, o->run);
  add_csv_option(cmd, o->run);
  cmd->add_option("--connect,--url", o->connect,
                  "HOST:PORT (or tcp://HOST:PORT) of a running 'bench serve tcp' instead of the "
                  "built-in server");
  cmd->callback([o, &run] { run = [o] { return run_tcp(*o); }; });
}

void register_serve_tcp(CLI::App* serve, CommandRunner& run) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = serve->add_subcommand("tcp", "The 'bench tcp' server");
  add_serve_options(cmd, *o, 5201);
  cmd->callback([o, &run] {
    run = [o] { return serve_foreground(*o, "serve tcp", "loop " + o->loop, start_tcp_server); };
  });
}

}  // namespace lb
