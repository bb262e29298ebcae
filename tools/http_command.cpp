// `bench http`: the original suite's HTTP clients (sync, threads, async on
// every loop) fetching /1k, /20k, /200k from a keep-alive server.
#include <fmt/core.h>

#include <cstdio>
#include <optional>

#include "backends/registry.hpp"
#include "protocols/http/routes.hpp"
#include "tools/command.hpp"
#include "tools/cpu.hpp"
#include "tools/http_clients.hpp"
#include "tools/http_serve.hpp"
#include "tools/http_table.hpp"
#include "tools/peer_runner.hpp"
#include "tools/results.hpp"
#include "tools/server_process.hpp"

namespace lb {
namespace {

struct HttpOptions {
  std::string mode = "sync,threads,async";
  std::string size = "1k,20k,200k";
  int requests = 1000;
  int concurrency = 100;
  int threads = 10;
  std::string loop = "all";
  std::string url;
  int repeat = 5;
  int warmup = 1;
  int server_cpu = -1;
  int client_cpu = -1;
  std::string server_loop = default_server_backend();
  int server_threads = 1;
  std::string json;
  std::string csv;
  double timeout_s = 10;
  std::string peers;
  bool peers_only = false;
};

std::vector<std::string> checked_list(const std::string& option, const std::string& text,
                                      const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  for (const auto& item : split_list(text)) {
    if (item == "all") return allowed;
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      throw UsageError(option + ": unknown value '" + item + "' (" + list + " or all)");
    }
    out.push_back(item);
  }
  return out;
}

// A row's fixed fields, ours or a peer's: what was fetched, how, from where.
RunResult http_row(const HttpOptions& o, const std::string& mode, const std::string& size,
                   const std::string& base, bool builtin_server) {
  RunResult row;
  row.bench = "http";
  row.mode = mode;
  row.size_bytes = http::Routes::route_size(size);
  row.params = {{"size", size},
                {"requests", o.requests},
                {"concurrency", mode == "async" ? o.concurrency : 1},
                {"threads", mode == "threads" ? o.threads : 1},
                {"repeat", o.repeat},
                {"warmup", o.warmup},
                {"server_cpu", o.server_cpu},
                {"client_cpu", o.client_cpu},
                {"target", builtin_server ? "builtin" : base},
                {"url", base + "/" + size}};
  if (builtin_server) row.params["server_loop"] = o.server_loop;
  return row;
}

HttpRunResult run_mode(const std::string& mode, Loop* loop, const HttpRunSpec& spec) {
  if (mode == "sync") return run_http_sync(spec);
  if (mode == "threads") return run_http_threads(spec);
  return run_http_async(*loop, spec);
}

int run_http(const HttpOptions& o) {
  const std::string started = utc_timestamp();
  const auto modes = checked_list("--mode", o.mode, {"sync", "threads", "async"});
  const auto sizes = checked_list("--size", o.size, {"1k", "20k", "200k"});
  if (o.requests < 1 || o.concurrency < 1 || o.threads < 1)
    throw UsageError("--requests, --concurrency and --threads must be at least 1");
  if (o.repeat < 1 || o.warmup < 0) throw UsageError("--repeat must be >= 1 and --warmup >= 0");
  if (o.timeout_s <= 0) throw UsageError("--timeout must be positive");
  std::vector<std::string> notes;
  const bool async = std::find(modes.begin(), modes.end(), "async") != modes.end();
  const auto loops = async ? select_backends(o.loop, notes) : std::vector<std::string>{};
  for (const auto& n : notes)
    std::fprintf(stderr, "bench: %s\n", n.c_str());
  const auto peers = select_peers("http", o.peers);
  if (o.peers_only && peers.empty()) throw UsageError("--peers-only needs --peers");

  std::string base = o.url;
  std::optional<ServerProcess> server;
  if (base.empty()) {
    select_backends(o.server_loop, notes);
    HttpServeOptions serve;
    serve.loop = o.server_loop;
    serve.threads = o.server_threads;
    serve.cpu = o.server_cpu;
    server.emplace(
        [serve](const std::function<void(std::uint16_t)>& ready) {
          try {
            serve_http(serve, ready);
            return 0;
          } catch (const std::exception& e) {
            std::fprintf(stderr, "bench: server: %s\n", e.what());
            return 1;
          }
        },
        std::chrono::seconds(20));
    base = "http://127.0.0.1:" + std::to_string(server->port());
  } else if (base.rfind("http://", 0) != 0) {
    throw UsageError("--url: expected http://HOST:PORT, got '" + base + "'");
  }
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  pin_or_throw(o.client_cpu, "client");

  std::vector<RunResult> runs;
  std::uint64_t errors = 0;
  for (const auto& mode : modes) {
    std::vector<std::string> mode_loops =
        mode == "async" ? loops : std::vector<std::string>{"none"};
    if (o.peers_only) mode_loops.clear();
    for (const auto& loop_name : mode_loops) {
      std::unique_ptr<Loop> loop = mode == "async" ? make_loop(loop_name) : nullptr;
      for (const auto& size : sizes) {
        HttpRunSpec spec;
        spec.url = base + "/" + size;
        spec.expected_bytes = http::Routes::route_size(size);
        spec.requests = o.requests;
        spec.concurrency = o.concurrency;
        spec.threads = o.threads;
        spec.timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
        RunResult run = http_row(o, mode, size, base, server.has_value());
        run.loop = loop_name;
        run.latency_ns.emplace();
        for (int i = 0; i < o.warmup + o.repeat; ++i) {
          const CpuTimes before = process_cpu_times();
          HttpRunResult r = run_mode(mode, loop.get(), spec);
          const CpuTimes used = process_cpu_times() - before;
          run.connections += r.connections;
          if (r.failed) {
            run.errors += r.failed;
            for (auto& e : r.errors)
              run.error_messages.push_back(e);
            std::fprintf(stderr, "bench: %s %s %s: %llu of %d requests failed: %s\n", mode.c_str(),
                         loop_name.c_str(), size.c_str(), static_cast<unsigned long long>(r.failed),
                         o.requests, r.errors.empty() ? "" : r.errors.front().c_str());
            break;
          }
          if (i < o.warmup) continue;
          run.latency_ns->merge(r.latency_ns);
          run.loop_lag_ns.merge(r.loop_lag_ns);
          run.repeats.push_back({r.duration_s, r.bytes, r.ok, used.user_s, used.sys_s});
        }
        errors += run.errors;
        runs.push_back(std::move(run));
      }
    }
    for (const auto* peer : peers) {
      for (const auto& size : sizes) {
        PeerWorkload w;
        w.row = http_row(o, mode, size, base, server.has_value());
        w.args = {"--url",
                  w.row.params["url"].get<std::string>(),
                  "--mode",
                  mode,
                  "--expected-bytes",
                  std::to_string(w.row.size_bytes),
                  "--requests",
                  std::to_string(o.requests),
                  "--threads",
                  std::to_string(o.threads),
                  "--concurrency",
                  std::to_string(o.concurrency),
                  "--repeat",
                  std::to_string(o.repeat),
                  "--warmup",
                  std::to_string(o.warmup),
                  "--timeout",
                  fmt::format("{}", o.timeout_s)};
        for (auto& row : run_peer(*peer, w)) {
          errors += row.errors;
          runs.push_back(std::move(row));
        }
      }
    }
  }
  if (server) server->stop();
  add_ours_over_peer(runs);
  const std::string header = fmt::format(
      "bench http: {}; client CPU {}; {} requests per repeat, {} repeats after {} warm-up",
      server ? fmt::format("built-in server (loop {}, {} thread(s), CPU {})", o.server_loop,
                           o.server_threads, o.server_cpu)
             : "server " + base,
      o.client_cpu, o.requests, o.repeat, o.warmup);
  print_http_table(stdout, runs, header);
  if (!o.json.empty()) write_results_file(o.json, runs, started);
  if (!o.csv.empty()) write_http_csv(o.csv, runs);
  return errors ? 1 : 0;
}

}  // namespace

void register_http_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<HttpOptions>();
  auto* cmd = app.add_subcommand(
      "http", "HTTP GETs of /1k, /20k, /200k: sync, threads, and async (libcurl multi) per loop");
  cmd->add_option("--mode", o->mode, "sync, threads, async (comma list) or all")
      ->capture_default_str();
  cmd->add_option("--size", o->size, "1k, 20k, 200k (comma list) or all")->capture_default_str();
  cmd->add_option("--requests", o->requests, "GETs per repeat")->capture_default_str();
  cmd->add_option("--concurrency", o->concurrency, "Transfers in flight (async)")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Client threads (threads mode)")->capture_default_str();
  cmd->add_option("--loop", o->loop, "Loop(s) of the async client: epoll, libuv, uring, list, all")
      ->capture_default_str();
  cmd->add_option("--url", o->url, "Base URL of another server (nginx, the Python suite's)");
  cmd->add_option("--repeat", o->repeat, "Counted repeats")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Warm-up repeats, not counted")->capture_default_str();
  cmd->add_option("--server-cpu", o->server_cpu, "Pin the built-in server to this CPU");
  cmd->add_option("--client-cpu", o->client_cpu, "Pin the client to this CPU");
  cmd->add_option("--server-loop", o->server_loop, "Loop of the built-in server")
      ->capture_default_str();
  cmd->add_option("--server-threads", o->server_threads, "Loop threads of the built-in server")
      ->capture_default_str();
  cmd->add_option("--json", o->json, "Write results to FILE (schema loopbench.results/1)");
  cmd->add_option("--csv", o->csv, "Write name,size,duration CSV (as the original) plus more");
  cmd->add_option("--timeout", o->timeout_s, "Per-request timeout in seconds")
      ->capture_default_str();
  cmd->add_option("--peers", o->peers,
                  "Also run other clients on the same workload: requests, httpx, pycurl, aiohttp, "
                  "curl_cffi, tls_client (comma list) or all");
  cmd->add_flag("--peers-only", o->peers_only, "Run only the --peers clients, not ours");
  cmd->callback([o, &run] { run = [o] { return run_http(*o); }; });
}

}  // namespace lb
