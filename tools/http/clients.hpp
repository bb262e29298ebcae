#pragma once
// The three HTTP client shapes of the original suite, all with session
// semantics (connections reused): sync (one easy handle, sequential GETs),
// threads (T threads, each its own handle, sharing N requests) and async
// (libcurl multi on an engine loop, C transfers in flight). Every response
// is checked: status 200 and the expected body length.
//
// Async can also run open loop (`pacing`, --rate): each transfer sends at
// its intended times (tools/measure/pacing.hpp), latency counts from the
// intended time and the service time from the actual send; a slot that
// falls due while its transfer is busy goes out when it finishes, late.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/loop.hpp"
#include "engine/statistics/histogram.hpp"
#include "tools/measure/pacing.hpp"

namespace lb {

// The HTTP version a client asks for, named as curl's options are.
enum class HttpVersion {
  http1_1,                // --http1.1: HTTP/1.1 only; no "h2" offered by ALPN
  http2,                  // --http2: ALPN over https://, "Upgrade: h2c" over http://
  http2_prior_knowledge,  // --http2-prior-knowledge: h2c with no upgrade round trip
};

// "1.1" or "2": how rows, peers and CURLINFO_HTTP_VERSION name a version.
std::string version_name(HttpVersion v);
bool is_http2(HttpVersion v);

struct HttpRunSpec {
  std::string url;
  // What every response must be: this status (none: 200 from our routes,
  // any 2xx from another URL) and this body length (none: any).
  std::optional<long> expected_status;
  std::optional<std::uint64_t> expected_bytes;
  bool own_route = true;  // one of the suite's routes (/1k, /20k, /200k)
  // The request: method (empty: GET, or POST with a body), extra header
  // lines ("Name: value"), body.
  std::string method;
  std::vector<std::string> headers;
  std::string body;
  int requests = 1000;
  // Above zero: requests go out until this long has passed since the
  // start (wrk's and oha's -d), `requests` at most; in-flight ones finish.
  std::chrono::nanoseconds duration{0};
  int concurrency = 100;                      // async
  int threads = 10;                           // threads
  std::chrono::milliseconds timeout{10'000};  // per request
  // https: trust this PEM certificate (the built-in server's) or CA file;
  // `insecure` skips verification.
  std::string ca_pem, ca_file;
  bool insecure = false;
  Pacing pacing;  // async: open loop when pacing.open()
  // A new connection (and TLS handshake) for every request, closed after
  // it: what connection setup costs, instead of session semantics.
  bool fresh_connections = false;
  // Every response must come over this version. HTTP/2 async multiplexes
  // `streams` transfers on each connection (connections = concurrency /
  // streams, rounded up), unless connections are fresh.
  HttpVersion version = HttpVersion::http1_1;
  int streams = 1;
  // Counts every response as it is accounted (for a progress line, read
  // from another thread); null: not counted.
  std::atomic<std::uint64_t>* answered = nullptr;
};

// Connections the async client opens for `spec` (HTTP/2 shares them).
int async_connections(const HttpRunSpec& spec);

struct HttpRunResult {
  double duration_s = 0;
  std::uint64_t bytes = 0;  // body bytes of good responses
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::vector<std::string> errors;  // the first few, for the user
  // A request got no answer within the timeout: the run issued no more.
  bool timed_out = false;
  std::uint64_t connections = 0;  // summed CURLINFO_NUM_CONNECTS
  // Responses by the version they came over (CURLINFO_HTTP_VERSION: "1.1",
  // "2"), failed ones included: what was negotiated, not what was asked.
  std::map<std::string, std::uint64_t> negotiated;
  Histogram latency_ns;   // from the intended send (closed loop: the send)
  Histogram service_ns;   // from the actual send
  SlotCount slots;        // open loop: every request's slot, and the late ones
  Histogram loop_lag_ns;  // async only
  // Async HTTP/2: complete responses libcurl left unread until the stall
  // guard woke it (protocols/http/curl_multi.hpp); each waited 50 ms or more.
  std::uint64_t stalls_rescued = 0;
};

HttpRunResult run_http_sync(const HttpRunSpec& spec);
HttpRunResult run_http_threads(const HttpRunSpec& spec);
HttpRunResult run_http_async(Loop& loop, const HttpRunSpec& spec);

}  // namespace lb
