#pragma once
// The measuring commands' results, and their JSON form
// (schema loopbench.results/2, docs/results-schema.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/statistics/histogram.hpp"
#include "engine/statistics/stats.hpp"

namespace lb {

// The schema this build writes. /2 renamed a comparison's "loop" to "row"
// (with "against") when codecs and peers came to be compared; /1 files
// (runs alike) are still read: baselines, `bench compare`.
inline constexpr const char* kResultsSchema = "loopbench.results/2";
bool is_results_schema(const std::string& schema);

// What the machine did to one repeat, measured around it by RowRounds
// (docs/statistics.md, "Disturbed rounds"): the calibration probe's time
// before and after, and the scheduler's counters over the repeat (each
// nullopt where the system does not tell).
struct MachineEffects {
  double probe_before_us = 0, probe_after_us = 0;
  std::optional<double> run_queue_wait_s, steal_s;
  std::optional<std::uint64_t> involuntary_switches;
};
nlohmann::json to_json(const MachineEffects& m);

struct RepeatResult {
  double duration_s = 0;
  std::uint64_t bytes = 0;     // payload bytes
  std::uint64_t requests = 0;  // 0 where requests do not apply
  double cpu_user_s = 0;
  double cpu_sys_s = 0;
  // The built-in server's CPU time (user + system) over the attempt, where
  // the server is ours and its process can be read.
  std::optional<double> server_cpu_s = std::nullopt;
  std::optional<MachineEffects> machine = std::nullopt;
  int round = 0;  // the round of paired rows it was measured in (1-based)
  // Where requests apply: the p99 of this repeat's latencies, so that
  // rows compare their p99 round by round.
  std::optional<double> latency_p99_us = std::nullopt;
};

struct RunResult {
  std::string bench;  // tcp | http | ws | stream
  // epoll | libuv | uring | none; peers: python-asyncio | python-uvloop |
  // python-threads | node
  std::string loop;
  std::string mode;  // download | upload | concurrent | sync | threads | async
  // ws and stream rows of ours: the client's WebSocket codec (native |
  // wslay); the built-in server's is params.server_codec. Empty elsewhere.
  std::string codec;
  std::uint64_t size_bytes = 0;
  bool tls = false;
  nlohmann::json params = nlohmann::json::object();
  std::vector<RepeatResult> repeats;  // counted repeats only, no warm-up
  Histogram loop_lag_ns;
  std::optional<Histogram> latency_ns;  // where requests apply
  std::uint64_t connections = 0;
  std::uint64_t errors = 0;
  std::vector<std::string> error_messages;
  std::optional<bool> verified;
  nlohmann::json summary_extra = nlohmann::json::object();  // bench-specific summary fields
  bool connections_known = true;                            // false: the client library cannot tell
  bool interrupted = false;  // Ctrl-C came before its last round (tools/process/interruption.hpp)

  // Rows of other clients (bench --peers, tools/peers/runner.hpp).
  std::string client;  // empty: loopbench's own client
  std::string client_version;
  std::string peer_status;  // ok | failed | not installed
  std::string peer_note;    // how to install it, or why it failed

  Spread duration_s() const;
  Spread bytes_per_s() const;
  Spread cpu_s_per_gib() const;
  // When every repeat knows its server's CPU time.
  std::optional<Spread> server_cpu_s_per_gib() const;
  std::optional<Spread> req_per_s() const;
  std::optional<Spread> cpu_us_per_req() const;
  // Blocking clients (bench's sync and threads modes, Python threads) have no
  // loop, so no loop lag.
  // Whether the row's client ran an event loop whose lag was probed (h2load
  // runs its own libev loop, which nothing probes).
  bool has_loop() const { return loop != "none" && loop != "python-threads" && loop != "h2load"; }
  // "loopbench" or the peer's library.
  std::string client_name() const { return client.empty() ? "loopbench" : client; }
};

// One repeat's figure, from a results file's run and one of its repeats:
// "throughput" (requests or messages/s for http and echo, payload bytes/s
// otherwise), "cpu_per_op" (client CPU seconds per request or message, or
// per GiB), "server_cpu_per_op" (the built-in server's, likewise, where
// the repeat has server_cpu_s) or "p99" (the repeat's latency_p99_us);
// nullopt where the repeat has none.
std::optional<double> repeat_figure(const nlohmann::json& run, const nlohmann::json& repeat,
                                    const std::string& metric);

// "median [min-max]" of `s` times `scale`, `precision` decimals: how every
// table prints a spread.
std::string spread_text(const Spread& s, double scale = 1, int precision = 0);

// {"min", "median", "max"}, as every statistic in the file.
nlohmann::json to_json(const Spread& s);
// The row's median operations/s, when it has requests.
std::optional<double> median_rate(const RunResult& row);
// p50, p90, p99, p999 and max of a nanosecond histogram, in microseconds.
nlohmann::json percentiles_us(const Histogram& h);

// "2026-11-27T08:00:00Z": when a command started, for the results file.
std::string utc_timestamp();

// The whole file: tool and machine facts plus every run.
nlohmann::json results_document(const std::vector<RunResult>& runs, const std::string& started);
nlohmann::json run_to_json(const RunResult& run);
// What tells a run's row from its neighbours: the loop ("epoll"), with the
// codec where there is one ("epoll native"), or for a peer its client and
// loop ("aiohttp python-uvloop").
std::string row_label(const nlohmann::json& run);
// What else tells rows of one bench, mode, loop, size and TLS apart: bench
// echo's transport and connections ("tcp x100"); empty for the others.
std::string row_variant(const nlohmann::json& run);
// The scenario a run belongs to, as the matrix names it: tcp, http, ws,
// wss, stream, echo-tcp or echo-ws.
std::string scenario_of(const nlohmann::json& run);
// A JSON file a user named (`what` says which, e.g. "--baseline"): a
// UsageError when it cannot be read or is not JSON.
nlohmann::json read_json_file(const std::string& path, const std::string& what);
// Throws std::runtime_error when the file cannot be written; "-" is stdout.
// Writes `text` to `path`, "-" meaning stdout; std::runtime_error naming
// `what` ("results", "CSV") when it cannot.
void write_output(const std::string& path, const std::string& text, const std::string& what);
// `extra` is merged into the document (a command's comparisons).
void write_results_file(const std::string& path, const std::vector<RunResult>& runs,
                        const std::string& started,
                        const nlohmann::json& extra = nlohmann::json::object());

// The CSV of bench tcp, ws and stream (--csv) and of the matrix
// (results.csv): one line per counted repeat of every run in `runs` (a
// results document's "runs"); the columns are docs/results-schema.md's.
std::string results_csv(const nlohmann::json& runs);
// Throws std::runtime_error when the file cannot be written; "-" is stdout.
void write_results_csv(const std::string& path, const std::vector<RunResult>& runs);

}  // namespace lb
