#pragma once
// `bench http --peers` and `bench ws --peers`: other clients (the original
// suite's Python clients, Node's ws) run the same workload against the same
// server, as child processes pinned like our client, and their results join
// our table as rows. The clients are the scripts in tools/peers; each prints
// a results document (schema loopbench.results/2) with its raw samples.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools/measure/repeats.hpp"
#include "tools/peers/catalog.hpp"
#include "tools/report/comparisons.hpp"
#include "tools/report/results.hpp"

namespace lb {

struct PeerWorkload {
  // The script's command line: --url ... --mode ... --warmup ...; the row
  // adds --repeat 1 (each round starts the script once).
  std::vector<std::string> args;
  RunResult row;  // the row's fixed fields: bench, mode, size, tls, params
  // The built-in server's CPU seconds so far, where it is ours: each
  // attempt records the server's CPU over it, as for our client.
  std::function<std::optional<double>()> server_cpu;
};

// One row of a peer, measured in rounds beside ours (repeats.hpp,
// RowRounds): `attempt` starts the script once for a counted round (it
// does nothing in a warm-up round: the script warms up in each process as
// its arguments say) and never throws for the peer's own trouble: a crash
// or failed request is a failed attempt with its message. Without
// `attempt` the row is final: "not installed", with the install command.
struct PeerRow {
  struct Totals {  // what the rounds' processes said, for the row
    std::string client_version;
    bool connections_known = false;
    nlohmann::json http_versions = nlohmann::json::object();
  };
  RunResult row;
  RowRounds::AttemptFn attempt;
  std::function<void(RunResult&)> finish;
};

// The rows one peer gives for a workload: one per event loop for async
// workloads, none when it cannot run the mode.
std::vector<PeerRow> peer_rows(const PeerClient& peer, const PeerWorkload& workload);

// Each peer row's throughput against our client's row of the same
// workload, the comparison `against: client` of `comparisons`
// (comparisons.hpp), into summary_extra["vs_ours"] (`reference`, `verdict`,
// `text` and, with an interval, `ratio`, `low`, `high`); and vs_ours_text()
// for tables: "0.28x [0.13–0.34] slower (epoll native)".
void add_vs_ours(std::vector<RunResult>& runs, const std::vector<Comparison>& comparisons);
std::string vs_ours_text(const RunResult& row);

// One row from a finished peer process (exposed for tests).
RunResult peer_row(const PeerClient& peer, RunResult row, int exit_code, const std::string& out,
                   const std::string& err);

// Where the scripts are: $LOOPBENCH_PEERS_DIR, else the source tree's tools/peers/clients.
std::string peers_dir();
// How a script of `runtime` ("python" or "node") starts, and whether
// `module` imports (python) or resolves (node) there; asked once per run.
std::vector<std::string> runtime_argv(const std::string& runtime);
bool importable(const std::string& runtime, const std::string& module);

}  // namespace lb
