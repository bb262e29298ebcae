// `bench tcp` (raw stream throughput on each loop, like iperf3) and
// `bench serve tcp` (its server alone).

#include <fmt/core.h>

#include <cstdio>
#include <optional>

#include "backends/registry.hpp"
#include "engine/lag_probe.hpp"
#include "tools/command.hpp"
#include "tools/cpu.hpp"
#include "tools/measured_transfer.hpp"
#include "tools/results.hpp"
#include "tools/server_process.hpp"
#include "tools/size.hpp"
#include "tools/stop_on_signal.hpp"
#include "tools/tcp_client.hpp"
#include "tools/tcp_protocol.hpp"
#include "tools/tcp_server.hpp"
#include "tools/tcp_table.hpp"

namespace lb {
namespace {

struct TcpOptions {
  std::string loop = "all";
  std::string server_loop = default_server_backend();
  std::string direction = "download";
  std::string total = "1GiB";
  std::string chunk = "64KiB";
  int repeat = 5;
  int warmup = 1;
  int server_cpu = -1;
  int client_cpu = -1;
  std::string connect;
  std::string json;
  double timeout_s = 10;
};

std::vector<std::string> parse_directions(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : split_list(text)) {
    if (d == "all") return {"download", "upload", "concurrent"};
    if (d != "download" && d != "upload" && d != "concurrent")
      throw UsageError("--direction: unknown direction '" + d +
                       "' (download, upload, concurrent or all)");
    out.push_back(d);
  }
  return out;
}

struct OneRepeat {
  TcpTransferResult transfer;
  CpuTimes cpu;
};

OneRepeat run_one(Loop& loop, const TcpTransferSpec& spec, Histogram& lag,
                  const std::string& label) {
  LagProbe probe(loop);
  TcpTransferResult result;
  TcpTransfer transfer(loop, spec, [&](const TcpTransferResult& r) {
    result = r;
    loop.stop();
  });
  const CpuTimes used = run_measured(loop, transfer, probe, label, 1e9, "Gbit/s");
  lag.merge(probe.lag_ns());
  return {result, used};
}

int run_tcp(const TcpOptions& o) {
  const std::string started = utc_timestamp();
  const auto total = size_option("--total", o.total);
  const auto chunk = size_option("--chunk", o.chunk);
  if (total == 0) throw UsageError("--total must be more than 0 bytes");
  if (chunk == 0 || chunk > tcp_bench::kMaxChunk)
    throw UsageError("--chunk must be between 1 byte and 16 MiB");
  if (o.repeat < 1 || o.warmup < 0) throw UsageError("--repeat must be >= 1 and --warmup >= 0");
  const auto directions = parse_directions(o.direction);
  std::vector<std::string> notes;
  const auto loops = select_backends(o.loop, notes);
  for (const auto& n : notes)
    std::fprintf(stderr, "bench: %s\n", n.c_str());

  Endpoint server_at{"127.0.0.1", 0};
  std::optional<ServerProcess> server;
  std::string target = "builtin";
  if (!o.connect.empty()) {
    auto parsed = Endpoint::parse(o.connect);
    if (!parsed) throw UsageError("--connect: expected HOST:PORT, got '" + o.connect + "'");
    server_at = *parsed;
    target = server_at.to_string();
  } else {
    select_backends(o.server_loop, notes);  // validates the name before forking
    server.emplace(loop_server_body(o.server_loop, o.server_cpu,
                                    [](Loop& loop) {
                                      auto tcp = std::make_shared<TcpBenchServer>(loop);
                                      tcp->listen(Endpoint{"127.0.0.1", 0});
                                      return ServingOn{tcp, tcp->port()};
                                    }),
                   std::chrono::seconds(10));
    server_at.port = server->port();
  }
  pin_or_throw(o.client_cpu, "client");

  std::vector<RunResult> runs;
  std::uint64_t errors = 0;
  for (const auto& direction : directions) {
    TcpTransferSpec spec;
    spec.server = server_at;
    spec.chunk = static_cast<std::uint32_t>(chunk);
    spec.download = direction != "upload" ? total : 0;
    spec.upload = direction != "download" ? total : 0;
    spec.idle_timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
    for (const auto& loop_name : loops) {
      RunResult run;
      run.bench = "tcp";
      run.loop = loop_name;
      run.mode = direction;
      run.size_bytes = total;
      run.params = {
          {"total_bytes", total}, {"chunk_bytes", chunk},       {"repeat", o.repeat},
          {"warmup", o.warmup},   {"server_cpu", o.server_cpu}, {"client_cpu", o.client_cpu},
          {"target", target}};
      if (!server)
        run.params["server_loop"] = nullptr;
      else
        run.params["server_loop"] = o.server_loop;
      auto loop = make_loop(loop_name);
      for (int i = 0; i < o.warmup + o.repeat; ++i) {
        const bool warm = i < o.warmup;
        const std::string label =
            fmt::format("{} {} {} {}/{}", loop_name, direction, warm ? "warm-up" : "repeat",
                        warm ? i + 1 : i - o.warmup + 1, warm ? o.warmup : o.repeat);
        Histogram lag;
        const auto one = run_one(*loop, spec, lag, label);
        ++run.connections;
        if (!one.transfer.error.empty()) {
          ++run.errors;
          run.error_messages.push_back(one.transfer.error);
          std::fprintf(stderr, "bench: %s: %s\n", label.c_str(), one.transfer.error.c_str());
          break;  // the next repeat would most likely fail the same way
        }
        if (warm) continue;
        run.loop_lag_ns.merge(lag);
        run.repeats.push_back({one.transfer.duration_s, one.transfer.received + one.transfer.sent,
                               0, one.cpu.user_s, one.cpu.sys_s});
      }
      errors += run.errors;
      runs.push_back(std::move(run));
    }
  }
  if (server) {
    const int status = server->stop();
    (void)status;
  }
  print_tcp_table(
      stdout, runs,
      TcpTableContext{target, o.server_loop, o.server_cpu, o.client_cpu, chunk, o.warmup});
  if (!o.json.empty()) write_results_file(o.json, runs, started);
  return errors ? 1 : 0;
}

}  // namespace

int serve_tcp(const std::string& loop_name, const std::string& bind, int port, int cpu) {
  if (port < 0 || port > 65535) throw UsageError("--port must be 0..65535");
  std::vector<std::string> notes;
  select_backends(loop_name, notes);
  pin_or_throw(cpu, "server");
  auto loop = make_loop(loop_name);
  TcpBenchServer server(*loop);
  const Endpoint at{bind, static_cast<std::uint16_t>(port)};
  server.listen(at);
  StopOnSignal stop(*loop);
  fmt::print("bench serve tcp: listening on {} (loop {}); Ctrl-C stops\n",
             Endpoint{bind, server.port()}.to_string(), loop_name);
  std::fflush(stdout);
  loop->run();
  fmt::print("bench serve tcp: {} transfers served, {} failed\n", server.finished_sessions(),
             server.failed_sessions());
  return 0;
}

void register_tcp_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<TcpOptions>();
  auto* cmd = app.add_subcommand(
      "tcp", "Raw TCP stream throughput on each event loop (like iperf3, on our loops)");
  cmd->add_option("--loop", o->loop, "Client loop(s): epoll, libuv, uring, a comma list, or all")
      ->capture_default_str();
  cmd->add_option("--direction", o->direction,
                  "download (server sends), upload (client sends), concurrent (both), a comma "
                  "list, or all")
      ->capture_default_str();
  cmd->add_option("--total", o->total, "Payload bytes per direction and repeat, e.g. 4GiB")
      ->capture_default_str();
  cmd->add_option("--chunk", o->chunk, "Bytes per write (the server's repeated random chunk)")
      ->capture_default_str();
  cmd->add_option("--repeat", o->repeat, "Counted repeats per loop")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Warm-up repeats, not counted")->capture_default_str();
  cmd->add_option("--server-cpu", o->server_cpu, "Pin the built-in server to this CPU");
  cmd->add_option("--client-cpu", o->client_cpu, "Pin the client to this CPU");
  cmd->add_option("--server-loop", o->server_loop,
                  "Loop of the built-in server; the same for every client loop so only the "
                  "client's loop varies")
      ->capture_default_str();
  cmd->add_option("--connect", o->connect,
                  "HOST:PORT of a running 'bench serve tcp' instead of the built-in server");
  cmd->add_option("--json", o->json, "Write results to FILE (schema loopbench.results/1)");
  cmd->add_option("--timeout", o->timeout_s,
                  "Fail a transfer after this many seconds without "
                  "progress")
      ->capture_default_str();
  cmd->callback([o, &run] { run = [o] { return run_tcp(*o); }; });
}

}  // namespace lb
