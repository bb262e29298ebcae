#include "tools/http/options.hpp"

#include "tools/options/options.hpp"

namespace lb {

void add_http_options(CLI::App* cmd, HttpOptions& o) {
  cmd->add_option("--mode", o.mode, "sync, threads, async (comma list) or all")
      ->capture_default_str();
  cmd->add_option("--size", o.size, "1k, 20k, 200k (comma list) or all")->capture_default_str();
  auto* count =
      cmd->add_option("-n,--requests", o.requests, "GETs per repeat")->capture_default_str();
  cmd->add_option("-d,--duration", o.duration_s,
                  "Send requests for this long per repeat instead of a count (10s, 500ms, 2m); "
                  "requests in flight finish")
      ->transform(seconds_option())
      ->excludes(count);
  cmd->add_option("-c,--concurrency,--connections", o.concurrency,
                  "Transfers in flight (async): connections over HTTP/1.1")
      ->capture_default_str();
  cmd->add_option("-t,--threads", o.threads, "Client threads (threads mode)")
      ->capture_default_str();
  add_pacing_options(cmd, o.pacing, "requests", "transfers of --mode=async");
  cmd->add_flag("--fresh-connections", o.fresh_connections,
                "A new connection (and TLS handshake) for every request, closed after it");
  auto* h1 = cmd->add_flag("--http1.1", o.http1_1,
                           "HTTP/1.1 only, also over https:// (the default); a response over "
                           "another version is an error");
  auto* h2 = cmd->add_flag("--http2", o.http2,
                           "HTTP/2: by ALPN over https://, by \"Upgrade: h2c\" over http://; a "
                           "response over HTTP/1.x is an error");
  auto* h2pk = cmd->add_flag("--http2-prior-knowledge", o.http2_prior_knowledge,
                             "HTTP/2 over http:// with no upgrade (h2c by prior knowledge)");
  h1->excludes(h2)->excludes(h2pk);
  h2->excludes(h2pk);
  cmd->add_option("--streams", o.streams,
                  "HTTP/2 async: transfers multiplexed on each connection (connections = "
                  "concurrency / streams)")
      ->capture_default_str();
  cmd->add_option("--url", o.url,
                  "Another server: http(s)://HOST:PORT for the suite's /1k, /20k, /200k (nginx, "
                  "the Python suite's), or a URL with a path, requested as given (any 2xx is "
                  "good unless --expect-status)");
  cmd->add_option("-m,--method", o.method, "Request method (default GET, or POST with a body)");
  cmd->add_option("-H,--header", o.headers, "A request header 'Name: value' (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--body", o.body, "Request body");
  cmd->add_option("--body-file", o.body_file, "Request body from this file");
  cmd->add_option("--expect-status", o.expect_status, "The status every response must have");
  cmd->add_option("--expect-size", o.expect_size,
                  "The body length every response must have (--url with a path)");
  add_run_options(cmd, o.run,
                  {"Loop(s) of the async client: epoll, libuv, uring, a comma list, or all",
                   "Per-request timeout in seconds"});
  cmd->add_option("--server-threads", o.server_threads, "Loop threads of the built-in server")
      ->capture_default_str();
  cmd->add_option("--csv", o.run.csv, "Write name,size,duration CSV (as the original) plus more");
  cmd->add_option(
      "--peers", o.peers,
      "Also run other clients on the same workload: requests, httpx, pycurl, aiohttp, "
      "curl_cffi, tls_client, h2load (comma list) or all; with --http2, httpx and h2load");
  cmd->add_flag("--peers-only", o.peers_only, "Run only the --peers clients, not ours");
  cmd->add_flag("--tls", o.tls,
                "https:// to the built-in server (a fresh self-signed certificate, verified)");
  cmd->add_option("--cacert", o.cacert, "Trust this CA file (PEM) for --url https://");
  cmd->add_flag("-k,--insecure", o.insecure, "Do not verify the server's certificate");
}

}  // namespace lb
