#pragma once
// What every measuring client command takes besides its workload: the
// client loops, the built-in server's loop and CPU, the client's CPU,
// warm-ups and repeats, the timeout and the results file.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/registry.hpp"
#include "tools/process/placement.hpp"

namespace lb {

struct RunOptions {
  std::string loop = "all";
  std::string server_loop;  // default_server_backend() unless set
  int repeat = 6;           // the fewest rounds that give a 95 % interval (docs/statistics.md)
  int warmup = 1;
  int server_cpu = -1;
  int client_cpu = -1;
  std::string json;
  double timeout_s = 10;
  std::string net;  // --net: a profile for tools/net/, or empty for loopback
  // Several loops run in paired rounds, shuffled with this seed (a random
  // one unless given), and are compared with `reference` (empty: epoll).
  std::uint64_t seed = 0;
  std::string reference;
  double margin_pct = 3;
  bool quiet = false;  // no table: for scripts that read --json or --csv
  std::string csv;     // tcp, ws, stream: one line per repeat (results.hpp)

  // UsageError for --repeat < 1, --warmup < 0 or --timeout <= 0.
  void check() const;
  // --loop resolved to backends, once; what was skipped (io_uring unusable
  // here, say) is printed to stderr as "bench: ...".
  std::vector<LoopKind> client_loops() const;
  // Checks --server-loop before the server process is forked.
  void check_server_loop() const;
  // Pins this process to --client-cpu (UsageError when it cannot).
  void pin_client() const;
  std::chrono::milliseconds timeout() const;
  // Where the human table goes: stderr with --json=- (stdout then carries
  // the results document alone, for a pipe), nowhere with --quiet, stdout
  // otherwise.
  std::FILE* table_stream() const;
  // The fields every row records of these options, and of where the
  // server runs (--net's path).
  nlohmann::json params(const Placement& where) const;
  // The generator of the rounds' shuffled order.
  std::mt19937_64 shuffle() const { return std::mt19937_64(seed); }
};

// TransferOptions checked: what a transfer run will move.
struct TransferPlan {
  std::vector<std::string> directions;  // download, upload, concurrent
  std::uint64_t total = 0;
  std::uint32_t chunk = 0;
};

// The bulk-transfer workloads' (tcp, ws): which directions, how many bytes
// per direction and repeat, in writes or messages of `chunk` bytes.
struct TransferOptions {
  std::string direction = "download";
  std::string total = "1GiB";
  std::string chunk = "64KiB";

  // UsageError for an unknown direction, no bytes, or a chunk of 0 or more
  // than 16 MiB.
  TransferPlan check() const;
};

struct RunOptionHelp {
  const char* loop = "Client loop(s): epoll, libuv, uring, a comma list, or all";
  const char* timeout = "Fail after this many seconds without progress";
  // Null: the command has a warm-up of its own (bench echo's is a time).
  const char* warmup = "Warm-up repeats, not counted";
};

// --loop, --server-loop, --repeat, --warmup, --server-cpu, --client-cpu,
// --json, --timeout, --net, --seed, --reference and --margin on `cmd`, with the values already in
// `o` as defaults.
void add_run_options(CLI::App* cmd, RunOptions& o, const RunOptionHelp& help = {});
// --csv on `cmd` (the commands whose CSV is results.hpp's).
void add_csv_option(CLI::App* cmd, RunOptions& o);
// --direction, --total and --chunk on `cmd`.
void add_transfer_options(CLI::App* cmd, TransferOptions& o, const char* chunk_help);

}  // namespace lb
