#pragma once
// `bench http --peers` and `bench ws --peers`: other clients (the original
// suite's Python clients, Node's ws) run the same workload against the same
// server, as child processes pinned like our client, and their results join
// our table as rows. The clients are the scripts in tools/peers; each prints
// a results document (schema loopbench.results/1) with its raw samples.
#include <string>
#include <vector>

#include "tools/report/results.hpp"

namespace lb {

struct PeerClient {
  std::string name;                      // as --peers names it
  std::string library;                   // the rows' client
  std::string bench;                     // http | ws
  std::string script;                    // file in the peers directory
  std::vector<std::string> modes;        // the workloads it can run
  std::vector<std::string> event_loops;  // asyncio, uvloop: one row each, except sync/threads
  std::string runtime;                   // python | node
  std::string module;                    // what must import for it to run
  std::string install;                   // how a user gets it
  std::string program;                   // a tool the script runs (h2load), looked for on PATH
  // What must import for bench http --http2 to run it (h2 for httpx); empty:
  // it speaks HTTP/1.1 only.
  std::string http2_module;
  std::string http2_install;
};

const std::vector<PeerClient>& peer_catalog();

// The peers of `bench` (http, ws, echo-tcp or echo-ws) in a comma list, or
// all of them.
// Throws UsageError for a name it does not know, listing the known ones.
std::vector<const PeerClient*> select_peers(const std::string& bench, const std::string& list);

struct PeerWorkload {
  std::vector<std::string> args;  // the script's command line: --url ... --mode ...
  RunResult row;                  // the row's fixed fields: bench, mode, size, tls, params
};

// The rows one peer gives for a workload: one per event loop for async
// workloads, none when it cannot run the mode. Never throws for the peer's
// own trouble: a missing interpreter or library is a row "not installed"
// with the install command, a crash or a failed request a row "failed"
// with its message.
std::vector<RunResult> run_peer(const PeerClient& peer, const PeerWorkload& workload);

// For every peer row with figures, how many times faster each of our rows
// of the same bench, mode, size and TLS (and for echo the same transport,
// connections, pipeline and server) is: our median over the peer's (req/s
// for http, messages/s for echo, payload bytes/s otherwise), by our loop, into
// summary_extra["ours_over_peer"]; and ours_over_peer_text() for tables.
void add_ours_over_peer(std::vector<RunResult>& runs);
std::string ours_over_peer_text(const RunResult& row);  // "epoll 6.1x libuv 5.8x"

// One row from a finished peer process (exposed for tests).
RunResult peer_row(const PeerClient& peer, RunResult row, int exit_code, const std::string& out,
                   const std::string& err);

// Where the scripts are: $LOOPBENCH_PEERS_DIR, else the source tree's tools/peers.
std::string peers_dir();
// How a script of `runtime` ("python" or "node") starts, and whether
// `module` imports (python) or resolves (node) there; asked once per run.
std::vector<std::string> runtime_argv(const std::string& runtime);
bool importable(const std::string& runtime, const std::string& module);

}  // namespace lb
