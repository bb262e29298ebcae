#include "tools/http/command.hpp"
#include "tools/serve/server_body.hpp"

#include <fmt/core.h>

#include <curl/curl.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>

#include "backends/registry.hpp"
#include "protocols/http/routes.hpp"
#include "protocols/tls/certificate.hpp"
#include "protocols/tls/tls_context.hpp"
#include "tools/http/clients.hpp"
#include "tools/http/options.hpp"
#include "tools/http/server.hpp"
#include "tools/http/table.hpp"
#include "tools/measure/progress_line.hpp"
#include "tools/measure/repeats.hpp"
#include "tools/net/emulated_path.hpp"
#include "tools/options/options.hpp"
#include "tools/options/run_options.hpp"
#include "tools/options/tls_options.hpp"
#include "tools/peers/runner.hpp"
#include "tools/peers/trust_file.hpp"
#include "tools/process/cpu.hpp"
#include "tools/process/interruption.hpp"
#include "tools/process/placement.hpp"
#include "tools/process/server_process.hpp"
#include "tools/report/results.hpp"
#include "tools/report/row_verdicts.hpp"
#include "tools/serve/serve_options.hpp"

namespace lb {
namespace {

// The size column of a row that requests --url as given.
constexpr const char* kAnyUrl = "url";

// Whether --url names a path of its own (requested as given) rather than
// a server whose /1k, /20k and /200k are the suite's.
bool names_a_path(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  const auto path = url.find('/', scheme + 3);
  return path != std::string::npos && path + 1 < url.size();
}

// A row's fixed fields, ours or a peer's: what was fetched, how, from where.
RunResult http_row(const HttpOptions& o, const Placement& where, const std::string& mode,
                   const std::string& size, const std::string& base, bool builtin_server) {
  RunResult row;
  row.bench = "http";
  row.mode = mode;
  row.tls = base.rfind("https://", 0) == 0;
  row.size_bytes = size == kAnyUrl ? o.expect_size.value_or(0) : http::Routes::route_size(size);
  row.params = o.run.params(where);
  row.params.update(
      {{"size", size},
       {"requests", o.duration_s ? nlohmann::json(nullptr) : nlohmann::json(o.requests)},
       {"concurrency", mode == "async" ? o.concurrency : 1},
       {"threads", mode == "threads" ? o.threads : 1},
       {"target", builtin_server ? "builtin" : base},
       {"url", size == kAnyUrl ? base : base + "/" + size}});
  if (!o.method.empty()) row.params["method"] = o.method;
  if (!o.headers.empty()) row.params["headers"] = o.headers;
  if (!o.body.empty() || !o.body_file.empty()) row.params["body_bytes"] = o.body.size();
  if (o.duration_s) row.params["duration_s"] = *o.duration_s;
  if (builtin_server) row.params["server_loop"] = o.run.server_loop;
  if (o.fresh_connections) row.params["fresh_connections"] = true;
  row.params["http_version"] = version_name(o.version());
  if (o.http2_prior_knowledge) row.params["http2_prior_knowledge"] = true;
  if (o.multiplexed() && mode == "async") row.params["streams"] = o.streams;
  if (mode == "async" && o.pacing.open())
    row.params.update({{"rate", o.pacing.rate}, {"arrival", o.pacing.arrival}});
  return row;
}

// `trust`: the built-in server's certificate as a file, for https://.
PeerWorkload peer_workload(const HttpOptions& o, const Placement& where, const std::string& mode,
                           const std::string& size, const std::string& base, bool builtin_server,
                           const std::string& trust) {
  PeerWorkload w;
  w.row = http_row(o, where, mode, size, base, builtin_server);
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
            "--warmup",
            o.run.warmup > 0 ? "1" : "0",
            "--timeout",
            fmt::format("{}", o.run.timeout_s)};
  const std::string& cacert = !trust.empty() ? trust : o.cacert;
  if (w.row.tls && !cacert.empty()) w.args.insert(w.args.end(), {"--cacert", cacert});
  if (w.row.tls && o.insecure) w.args.push_back("--insecure");
  w.args.insert(w.args.end(), {"--http-version", version_name(o.version()), "--streams",
                               std::to_string(o.multiplexed() ? o.streams : 1)});
  return w;
}

HttpRunResult run_mode(const std::string& mode, Loop* loop, const HttpRunSpec& spec) {
  if (mode == "sync") return run_http_sync(spec);
  if (mode == "threads") return run_http_threads(spec);
  return run_http_async(*loop, spec);
}

// What the counted repeats of a row add up to beyond the repeats: the
// versions negotiated, and open loop's service times and slots.
struct CountedTotals {
  std::map<std::string, std::uint64_t> negotiated;
  Histogram service_ns;
  SlotCount slots;
  std::uint64_t stalls_rescued = 0;
};

AttemptResult http_attempt(const std::string& mode, Loop* loop, HttpRunSpec spec,
                           CountedTotals* counted, const std::string& label) {
  std::atomic<std::uint64_t> answered{0};
  spec.answered = &answered;
  const bool timed = spec.duration > spec.duration.zero();
  const CountProgressLine progress(answered, timed ? 0 : static_cast<std::uint64_t>(spec.requests),
                                   label, "req/s");
  const CpuTimes before = process_cpu_times();
  HttpRunResult r = run_mode(mode, loop, spec);
  if (counted) {
    for (const auto& [name, n] : r.negotiated)
      counted->negotiated[name] += n;
    counted->service_ns.merge(r.service_ns);
    counted->slots.add(r.slots);
    counted->stalls_rescued += r.stalls_rescued;
  }
  const CpuTimes used = process_cpu_times() - before;
  AttemptResult a;
  a.connections = r.connections;
  a.failed = r.failed;
  if (r.failed)
    a.error = fmt::format(
        "{} of {} requests failed{}: {}", r.failed,
        timed ? r.ok + r.failed : static_cast<std::uint64_t>(spec.requests),
        r.timed_out ? fmt::format(" (no answer within --timeout={:g} s: stopped at the first)",
                                  std::chrono::duration<double>(spec.timeout).count())
                    : "",
        r.errors.empty() ? "" : r.errors.front());
  a.errors = std::move(r.errors);
  a.repeat = {r.duration_s, r.bytes, r.ok, used.user_s, used.sys_s};
  a.loop_lag_ns = std::move(r.loop_lag_ns);
  a.latency_ns = std::move(r.latency_ns);
  return a;
}

// Debian 12's libcurl 7.88.1 fails every request after the first on a
// reused prior-knowledge connection (curl#10634, fixed in 7.89.0).
bool curl_reuses_prior_knowledge() {
  return curl_version_info(CURLVERSION_NOW)->version_num >= 0x075900;
}

int run_http(const HttpOptions& o) {
  const Interruption interruption;  // before any thread or server starts
  const std::string started = utc_timestamp();
  const auto modes = checked_list("--mode", o.mode, {"sync", "threads", "async"});
  const bool any_url = names_a_path(o.url);
  if (any_url && o.size != HttpOptions{}.size)
    throw UsageError("--size picks the suite's routes; --url " + o.url +
                     " names its own path and is requested as given: leave out --size");
  const auto sizes = any_url ? std::vector<std::string>{kAnyUrl}
                             : checked_list("--size", o.size, {"1k", "20k", "200k"});
  if (!o.body.empty() && !o.body_file.empty()) throw UsageError("--body and --body-file: give one");
  for (const auto& h : o.headers)
    if (h.find(':') == std::string::npos || h.front() == ':')
      throw UsageError("--header: expected 'Name: value', got '" + h + "'");
  std::string body = o.body;
  if (!o.body_file.empty()) {
    std::ifstream in(o.body_file, std::ios::binary);
    if (!in) throw UsageError("--body-file: cannot read '" + o.body_file + "'");
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (o.duration_s && *o.duration_s <= 0) throw UsageError("--duration must be positive");
  if (o.requests < 1 || o.concurrency < 1 || o.threads < 1)
    throw UsageError("--requests, --concurrency and --threads must be at least 1");
  o.pacing.check();
  if (o.pacing.open() && modes != std::vector<std::string>{"async"})
    throw UsageError("--rate paces the async client only: add --mode=async");
  o.run.check();
  const bool async = std::find(modes.begin(), modes.end(), "async") != modes.end();
  const auto loops = async ? o.run.client_loops() : std::vector<LoopKind>{};
  const std::string reference = reference_loop(names_of(loops), o.run.reference);
  auto peers = select_peers("http", o.peers);
  const HttpVersion version = o.version();
  if (is_http2(version)) {
    // Only peers that speak HTTP/2 run an --http2 workload.
    const auto speaks_http2 = [](const PeerClient* p) { return !p->http2_module.empty(); };
    for (const auto* p : peers)
      if (!speaks_http2(p))
        std::fprintf(stderr, "bench: peer %s speaks HTTP/1.1 only: left out of --http2\n",
                     p->name.c_str());
    std::erase_if(peers, [&](const PeerClient* p) { return !speaks_http2(p); });
  }
  if (o.peers_only && peers.empty()) throw UsageError("--peers-only needs --peers");
  if (!peers.empty() && o.duration_s)
    throw UsageError("--peers run a count of requests: give --requests, not --duration");
  if (!peers.empty() && (any_url || !o.method.empty() || !o.headers.empty() || !body.empty()))
    throw UsageError(
        "--peers run the suite's GETs of /1k, /20k, /200k: leave out a --url path, --method, "
        "--header and --body");

  if (o.tls && !o.url.empty())
    throw UsageError("--tls is for the built-in server; give --url https://... for another");
  if (!peers.empty() && o.pacing.open())
    throw UsageError("--peers run closed loop only: leave out --rate");
  if (o.streams < 1) throw UsageError("--streams must be at least 1");
  const bool https = o.tls || o.url.rfind("https://", 0) == 0;
  if (o.http2_prior_knowledge && !https && !o.fresh_connections && !o.peers_only &&
      !curl_reuses_prior_knowledge())
    throw UsageError(
        "--http2-prior-knowledge over http:// needs libcurl 7.89.0 or later to reuse a "
        "connection (curl#10634; this one is " +
        std::string(curl_version_info(CURLVERSION_NOW)->version) +
        "): add --fresh-connections, use --http2 (\"Upgrade: h2c\"), or --peers=h2load "
        "--peers-only");
  if (o.http2 && !https && async && !o.peers_only)
    throw UsageError(
        "--http2 over http:// (h2c) runs --mode=sync,threads only: the async client would "
        "multiplex on libcurl 7.88.1 (Debian 12), which sends a second request before the "
        "upgrade's 101 (curl#11557) and stalls multiplexed h2c streams; use --tls for async "
        "HTTP/2, or --peers=h2load --peers-only for h2c");
  if (!peers.empty() && o.fresh_connections)
    throw UsageError("--peers keep their connections: leave out --fresh-connections");
  std::string base = o.url;
  const auto net_path = net::emulated_path_for(o.run.net, base.empty(), !peers.empty());
  const Placement where = net::placement_of(net_path.get());
  std::optional<ServerProcess> server;
  // https to the built-in server: a fresh certificate, the only one the
  // client trusts (the server child inherits the context).
  std::optional<tls::Certificate> identity;
  tls::SslCtxPtr server_tls;
  if (base.empty()) {
    o.run.check_server_loop();
    HttpServeOptions serve;
    serve.bind = where.server_host;
    serve.loop = o.run.server_loop;
    serve.threads = o.server_threads;
    serve.cpu = o.run.server_cpu;
    if (o.tls) {
      identity = tls::make_self_signed(365, where.server_host);
      server_tls = tls::make_server_context(*identity);
      serve.server.tls = server_tls.get();
    }
    server.emplace(guarded_server_body(where,
                                       [serve](const auto& ready) {
                                         serve_http(serve, ready);
                                         return 0;
                                       }),
                   std::chrono::seconds(20));
    base =
        (o.tls ? "https://" : "http://") + where.server_host + ":" + std::to_string(server->port());
  } else if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    throw UsageError("--url: expected http://HOST:PORT or https://HOST:PORT, got '" + base + "'");
  }
  while (!any_url && !base.empty() && base.back() == '/')
    base.pop_back();
  // The peers trust exactly the built-in server's certificate, as ours does.
  const TrustFile trust(identity && !peers.empty() ? identity->cert.get() : nullptr);
  o.run.pin_client();

  std::vector<RunResult> runs;
  std::uint64_t errors = 0;
  auto shuffle = o.run.shuffle();
  for (const auto& mode : modes) {
    std::vector<LoopKind> mode_loops =
        mode == "async" ? loops : std::vector<LoopKind>{LoopKind{"none", {}}};
    if (o.peers_only) mode_loops.clear();
    RowRounds rounds;
    for (const auto& kind : mode_loops) {
      const std::string& loop_name = kind.name;
      std::shared_ptr<Loop> loop;
      if (mode == "async") loop = kind.make();
      for (const auto& size : sizes) {
        HttpRunSpec spec;
        spec.own_route = size != kAnyUrl;
        spec.url = spec.own_route ? base + "/" + size : base;
        // --expect-size wins; a route of ours has its own size; any URL none.
        spec.expected_bytes = o.expect_size;
        if (!spec.expected_bytes && spec.own_route)
          spec.expected_bytes = http::Routes::route_size(size);
        spec.expected_status = o.expect_status;
        spec.method = o.method;
        spec.headers = o.headers;
        spec.body = body;
        spec.requests = o.duration_s ? std::numeric_limits<int>::max() : o.requests;
        if (o.duration_s)
          spec.duration = std::chrono::nanoseconds(static_cast<std::int64_t>(*o.duration_s * 1e9));
        spec.concurrency = o.concurrency;
        spec.threads = o.threads;
        spec.timeout = o.run.timeout();
        if (identity) spec.ca_pem = tls::to_pem(identity->cert.get());
        spec.ca_file = o.cacert;
        spec.insecure = o.insecure;
        spec.pacing = o.pacing;
        spec.fresh_connections = o.fresh_connections;
        spec.version = version;
        spec.streams = o.streams;
        RunResult run = http_row(o, where, mode, size, base, server.has_value());
        run.loop = loop_name;
        run.latency_ns.emplace();
        auto totals = std::make_shared<CountedTotals>();
        rounds.add(
            std::move(run), mode + " " + loop_name + " " + size,
            [mode, loop, spec, totals, &server](const std::string& label, bool counted) {
              const auto server_before = server ? server->cpu_seconds() : std::nullopt;
              AttemptResult a =
                  http_attempt(mode, loop.get(), spec, counted ? totals.get() : nullptr, label);
              const auto server_after = server ? server->cpu_seconds() : std::nullopt;
              if (server_before && server_after)
                a.repeat.server_cpu_s = *server_after - *server_before;
              return a;
            },
            [totals, &o](RunResult& row) {
              if (!totals->negotiated.empty())
                row.summary_extra["http_versions"] = totals->negotiated;
              if (totals->stalls_rescued) {
                row.summary_extra["stalls_rescued"] = totals->stalls_rescued;
                fmt::print(stderr,
                           "bench: {} {} {}: libcurl held {} complete response{} unread until "
                           "bench woke it after 50 ms of quiet (a libcurl 7.88 HTTP/2 defect); "
                           "{} latency includes the wait\n",
                           row.mode, row.loop, row.params.value("size", std::string()),
                           totals->stalls_rescued, totals->stalls_rescued == 1 ? "" : "s",
                           totals->stalls_rescued == 1 ? "its" : "their");
              }
              if (o.pacing.open()) {
                row.summary_extra["rate"] = pacing_json(o.pacing, totals->slots, median_rate(row));
                row.summary_extra["service_latency_us"] = percentiles_us(totals->service_ns);
              }
            });
      }
    }
    std::vector<RunResult> not_installed;
    for (const auto* peer : peers)
      for (const auto& size : sizes) {
        auto w = peer_workload(o, where, mode, size, base, server.has_value(), trust.path());
        if (server) w.server_cpu = [&server] { return server->cpu_seconds(); };
        for (auto& p : peer_rows(*peer, w)) {
          if (!p.attempt) {
            not_installed.push_back(std::move(p.row));
            continue;
          }
          const std::string label = mode + " " + p.row.client + " " + p.row.loop + " " + size;
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
  const std::string header = fmt::format(
      "bench http: {}; client {}; {} per repeat{}{}, {} after {}",
      server ? fmt::format("built-in server (loop {}, {} thread{}, {})", o.run.server_loop,
                           o.server_threads, o.server_threads == 1 ? "" : "s",
                           cpu_text(o.run.server_cpu))
             : "server " + base,
      cpu_text(o.run.client_cpu),
      o.duration_s ? fmt::format("requests for {:g} s", *o.duration_s)
                   : counted(static_cast<std::uint64_t>(o.requests), "request"),
      o.pacing.open() ? fmt::format(" at {} req/s ({} arrivals; latency from each request's "
                                    "intended send time)",
                                    o.pacing.rate, o.pacing.arrival)
                      : "",
      o.fresh_connections
          ? fmt::format(", a new connection for each, HTTP/{}", version_name(version))
      : o.multiplexed() ? fmt::format(", HTTP/2 with up to {} streams per connection", o.streams)
                        : ", HTTP/1.1",
      counted(o.run.repeat, "repeat"), counted(o.run.warmup, "warm-up"));
  print_http_table(o.run.table_stream(), runs, header);
  std::fputs(verdicts.text().c_str(), o.run.table_stream());
  if (!o.run.json.empty()) write_results_file(o.run.json, runs, started, verdicts.json());
  if (!o.run.csv.empty()) write_http_csv(o.run.csv, runs);
  return interrupted_or(errors ? 1 : 0, runs, o.run.repeat);
}

}  // namespace

void register_http_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<HttpOptions>();
  auto* cmd = app.add_subcommand(
      "http", "HTTP GETs of /1k, /20k, /200k: sync, threads, and async (libcurl multi) per loop");
  add_http_options(cmd, *o);
  cmd->callback([o, &run] { run = [o] { return run_http(*o); }; });
}

}  // namespace lb
