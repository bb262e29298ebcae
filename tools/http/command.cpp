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
#include "tools/http/server.hpp"
#include "tools/http/table.hpp"
#include "tools/measure/progress_line.hpp"
#include "tools/measure/repeats.hpp"
#include "tools/net/lab.hpp"
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

struct HttpOptions {
  RunOptions run;
  std::string mode = "sync,threads,async";
  std::string size = "1k,20k,200k";
  int requests = 1000;
  std::optional<double> duration_s;  // -d: requests for a time instead of a count
  int concurrency = 100;
  int threads = 10;
  std::string url;
  int server_threads = 1;
  std::string peers;
  bool peers_only = false;
  bool tls = false;
  std::string cacert;
  bool insecure = false;
  Pacing pacing;
  bool fresh_connections = false;
  // --http1.1 (the default), --http2, --http2-prior-knowledge: CLI11 lets
  // at most one be given.
  bool http1_1 = false, http2 = false, http2_prior_knowledge = false;
  int streams = 100;
  // Any URL (wrk's, oha's way): method, headers, body, and what a good
  // response is.
  std::string method;
  std::vector<std::string> headers;
  std::string body, body_file;
  std::optional<long> expect_status;
  std::optional<std::uint64_t> expect_size;

  HttpVersion version() const {
    if (http2_prior_knowledge) return HttpVersion::http2_prior_knowledge;
    return http2 ? HttpVersion::http2 : HttpVersion::http1_1;
  }
  bool multiplexed() const { return is_http2(version()) && !fresh_connections; }
};

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
RunResult http_row(const HttpOptions& o, const std::string& mode, const std::string& size,
                   const std::string& base, bool builtin_server) {
  RunResult row;
  row.bench = "http";
  row.mode = mode;
  row.tls = base.rfind("https://", 0) == 0;
  row.size_bytes = size == kAnyUrl ? o.expect_size.value_or(0) : http::Routes::route_size(size);
  row.params = o.run.params();
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
PeerWorkload peer_workload(const HttpOptions& o, const std::string& mode, const std::string& size,
                           const std::string& base, bool builtin_server, const std::string& trust) {
  PeerWorkload w;
  w.row = http_row(o, mode, size, base, builtin_server);
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

Attempt http_attempt(const std::string& mode, Loop* loop, HttpRunSpec spec, CountedTotals* counted,
                     const std::string& label) {
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
  Attempt a;
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
  const auto loops = async ? o.run.client_loops() : std::vector<std::string>{};
  const std::string reference = reference_loop(loops, o.run.reference);
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
  const auto lab = net::lab_for(o.run.net, base.empty(), !peers.empty());
  std::optional<ServerProcess> server;
  // https to the built-in server: a fresh certificate, the only one the
  // client trusts (the server child inherits the context).
  std::optional<tls::Certificate> identity;
  tls::SslCtxPtr server_tls;
  if (base.empty()) {
    o.run.check_server_loop();
    HttpServeOptions serve;
    serve.bind = placement().server_host;
    serve.loop = o.run.server_loop;
    serve.threads = o.server_threads;
    serve.cpu = o.run.server_cpu;
    if (o.tls) {
      identity = tls::make_self_signed(365, placement().server_host);
      server_tls = tls::make_server_context(*identity);
      serve.server.tls = server_tls.get();
    }
    server.emplace(guarded_server_body([serve](const auto& ready) {
                     serve_http(serve, ready);
                     return 0;
                   }),
                   std::chrono::seconds(20));
    base = (o.tls ? "https://" : "http://") + placement().server_host + ":" +
           std::to_string(server->port());
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
    std::vector<std::string> mode_loops =
        mode == "async" ? loops : std::vector<std::string>{"none"};
    if (o.peers_only) mode_loops.clear();
    RowRounds rounds;
    for (const auto& loop_name : mode_loops) {
      std::shared_ptr<Loop> loop;
      if (mode == "async") loop = make_loop(loop_name);
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
        RunResult run = http_row(o, mode, size, base, server.has_value());
        run.loop = loop_name;
        run.latency_ns.emplace();
        auto totals = std::make_shared<CountedTotals>();
        rounds.add(
            std::move(run), mode + " " + loop_name + " " + size,
            [mode, loop, spec, totals, &server](const std::string& label, bool counted) {
              const auto server_before = server ? server->cpu_seconds() : std::nullopt;
              Attempt a =
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
        auto w = peer_workload(o, mode, size, base, server.has_value(), trust.path());
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

struct ServeHttpOptions {
  ServeOptions serve;
  bool tls = false;
  std::string cert, key;
  double idle_timeout_s = 60;
  double close_probability = 0;
  std::string max_body = "1MiB";
  std::uint32_t max_streams = 128;
};

int serve_http_command(const ServeHttpOptions& o) {
  if (o.serve.threads < 1) throw UsageError("--threads must be at least 1");
  if (o.close_probability < 0 || o.close_probability > 1)
    throw UsageError("--close-probability must be between 0 and 1");
  HttpServeOptions serve;
  serve.loop = o.serve.loop;
  serve.bind = o.serve.bind;
  serve.port = port_option(o.serve.port);
  serve.threads = o.serve.threads;
  serve.cpu = o.serve.cpu;
  serve.server.idle_timeout = std::chrono::milliseconds(static_cast<long>(o.idle_timeout_s * 1000));
  serve.server.close_probability = o.close_probability;
  serve.server.limits.body = size_option("--max-body", o.max_body);
  if (o.max_streams < 1) throw UsageError("--max-streams must be at least 1");
  serve.server.max_streams = o.max_streams;
  const auto ctx = server_tls_option(o.tls, o.cert, o.key);
  serve.server.tls = ctx.get();
  const auto stats = serve_http(serve, [&](std::uint16_t port) {
    fmt::print("bench serve http: listening on {} ({}loop {}, {} thread(s)); Ctrl-C stops\n",
               Endpoint{o.serve.bind, port}.to_string(), ctx ? "https, " : "", o.serve.loop,
               o.serve.threads);
    std::fflush(stdout);
  });
  fmt::print(
      "bench serve http: {} connections ({} HTTP/2), {} requests, {} bad requests, {} idle "
      "closed, {} TLS handshakes failed\n",
      stats.connections, stats.http2_connections, stats.requests, stats.bad_requests,
      stats.idle_closed, stats.tls_failed);
  return 0;
}

}  // namespace

void register_http_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<HttpOptions>();
  auto* cmd = app.add_subcommand(
      "http", "HTTP GETs of /1k, /20k, /200k: sync, threads, and async (libcurl multi) per loop");
  cmd->add_option("--mode", o->mode, "sync, threads, async (comma list) or all")
      ->capture_default_str();
  cmd->add_option("--size", o->size, "1k, 20k, 200k (comma list) or all")->capture_default_str();
  auto* count =
      cmd->add_option("-n,--requests", o->requests, "GETs per repeat")->capture_default_str();
  cmd->add_option("-d,--duration", o->duration_s,
                  "Send requests for this long per repeat instead of a count (10s, 500ms, 2m); "
                  "requests in flight finish")
      ->transform(seconds_option())
      ->excludes(count);
  cmd->add_option("-c,--concurrency,--connections", o->concurrency,
                  "Transfers in flight (async): connections over HTTP/1.1")
      ->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "Client threads (threads mode)")
      ->capture_default_str();
  add_pacing_options(cmd, o->pacing, "requests", "transfers of --mode=async");
  cmd->add_flag("--fresh-connections", o->fresh_connections,
                "A new connection (and TLS handshake) for every request, closed after it");
  auto* h1 = cmd->add_flag("--http1.1", o->http1_1,
                           "HTTP/1.1 only, also over https:// (the default); a response over "
                           "another version is an error");
  auto* h2 = cmd->add_flag("--http2", o->http2,
                           "HTTP/2: by ALPN over https://, by \"Upgrade: h2c\" over http://; a "
                           "response over HTTP/1.x is an error");
  auto* h2pk = cmd->add_flag("--http2-prior-knowledge", o->http2_prior_knowledge,
                             "HTTP/2 over http:// with no upgrade (h2c by prior knowledge)");
  h1->excludes(h2)->excludes(h2pk);
  h2->excludes(h2pk);
  cmd->add_option("--streams", o->streams,
                  "HTTP/2 async: transfers multiplexed on each connection (connections = "
                  "concurrency / streams)")
      ->capture_default_str();
  cmd->add_option("--url", o->url,
                  "Another server: http(s)://HOST:PORT for the suite's /1k, /20k, /200k (nginx, "
                  "the Python suite's), or a URL with a path, requested as given (any 2xx is "
                  "good unless --expect-status)");
  cmd->add_option("-m,--method", o->method, "Request method (default GET, or POST with a body)");
  cmd->add_option("-H,--header", o->headers, "A request header 'Name: value' (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--body", o->body, "Request body");
  cmd->add_option("--body-file", o->body_file, "Request body from this file");
  cmd->add_option("--expect-status", o->expect_status, "The status every response must have");
  cmd->add_option("--expect-size", o->expect_size,
                  "The body length every response must have (--url with a path)");
  add_run_options(cmd, o->run,
                  {"Loop(s) of the async client: epoll, libuv, uring, a comma list, or all",
                   "Per-request timeout in seconds"});
  cmd->add_option("--server-threads", o->server_threads, "Loop threads of the built-in server")
      ->capture_default_str();
  cmd->add_option("--csv", o->run.csv, "Write name,size,duration CSV (as the original) plus more");
  cmd->add_option(
      "--peers", o->peers,
      "Also run other clients on the same workload: requests, httpx, pycurl, aiohttp, "
      "curl_cffi, tls_client, h2load (comma list) or all; with --http2, httpx and h2load");
  cmd->add_flag("--peers-only", o->peers_only, "Run only the --peers clients, not ours");
  cmd->add_flag("--tls", o->tls,
                "https:// to the built-in server (a fresh self-signed certificate, verified)");
  cmd->add_option("--cacert", o->cacert, "Trust this CA file (PEM) for --url https://");
  cmd->add_flag("-k,--insecure", o->insecure, "Do not verify the server's certificate");
  cmd->callback([o, &run] { run = [o] { return run_http(*o); }; });
}

void register_serve_http(CLI::App* serve, CommandRunner& run) {
  auto o = std::make_shared<ServeHttpOptions>();
  auto* cmd = serve->add_subcommand(
      "http",
      "The HTTP keep-alive server: /1k, /20k, /200k, /bytes/N (N <= 64 MiB); HTTP/1.1, and "
      "HTTP/2 by prior knowledge (h2c) or by ALPN over --tls");
  add_serve_options(cmd, o->serve, 8080);
  cmd->add_option("--idle-timeout", o->idle_timeout_s,
                  "Close a connection that completes no request for this many seconds")
      ->transform(seconds_option())
      ->capture_default_str();
  cmd->add_option("--close-probability", o->close_probability,
                  "Testing aid: answer this fraction of requests with Connection: close (HTTP/2: "
                  "GOAWAY after that stream)")
      ->check(finite_number())
      ->capture_default_str();
  cmd->add_option("--max-streams", o->max_streams,
                  "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once")
      ->check(unsigned_count())
      ->capture_default_str();
  cmd->add_option("--max-body", o->max_body,
                  "Refuse a request whose declared or chunked body is larger (413)")
      ->capture_default_str();
  cmd->add_flag("--tls", o->tls, "https:// with a fresh self-signed certificate");
  cmd->add_option("--cert", o->cert, "PEM certificate for https://");
  cmd->add_option("--key", o->key, "PEM private key for https://");
  cmd->callback([o, &run] { run = [o] { return serve_http_command(*o); }; });
}

}  // namespace lb
