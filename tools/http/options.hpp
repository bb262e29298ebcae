#pragma once
// `bench http`'s options as typed.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tools/http/clients.hpp"
#include "tools/measure/pacing.hpp"
#include "tools/options/run_options.hpp"

namespace lb {

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

// Adds every option of `bench http` to `cmd`, filling `o`.
void add_http_options(CLI::App* cmd, HttpOptions& o);

}  // namespace lb
