#pragma once
// What `bench matrix` runs: for each repeat round, every scenario on every
// loop, loops interleaved inside the round so that drift of a shared
// machine hits every loop alike; with a seed, in an order shuffled anew for
// each round and scenario, so that no loop always runs first (or right
// after another's heavy step). ws and wss run
// each loop once per codec (--codec and --server-codec alike), so the
// matrix shows what framing costs. Each step is one
// `bench` command line with --repeat=1 --warmup=0, so a step is exactly what
// a user could run by hand.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace lb {

struct MatrixProfile {
  std::string name;                          // quick | full
  std::string tcp_total;                     // per direction
  int http_requests = 0;                     // per size
  std::string ws_total;                      // ws:// and wss://
  std::string stream_size;                   // the generated file
  double time_budget_s = 0;                  // --rounds=auto's default budget
  std::string echo_seconds;                  // measured per echo row
  std::string echo_connections, echo_sizes;  // the closed-loop sweep (lists)
  bool echo_open = false;                    // an open-loop echo step per loop at half its peak
};

// Throws std::invalid_argument for an unknown profile.
MatrixProfile matrix_profile(const std::string& name);

struct MatrixOptions {
  MatrixProfile profile;
  std::vector<std::string> loops;                // already resolved
  std::vector<std::string> codecs = {"native"};  // ws and wss: one step per codec, both ends
  std::vector<std::string> scenarios;            // tcp, http, ws, wss, stream
  int repeat = 3;
  int server_cpu = -1, client_cpu = -1;
  std::string ws_chunk;     // empty: bench ws's default
  std::string stream_file;  // generated before the first round
  bool peers = false;       // http, ws, wss: also a step of every installed peer client
  bool echo_open = false;   // the profile's unless asked
  std::string net;          // every step's --net (empty: loopback)
  // Shuffles the steps of each round and scenario (std::mt19937_64 with
  // this seed); without one they run in the order of `loops` and `codecs`.
  std::optional<std::uint64_t> seed;
};

struct MatrixStep {
  int round = 0;                  // 1-based
  std::string scenario, loop;     // loop "peers": the step of the peer clients
  std::string codec;              // ws and wss: the WebSocket codec of both ends
  std::vector<std::string> args;  // after "bench"; --json is added by the runner
  // An open-loop echo step: the runner adds --rate, half of what the
  // closed-loop step of the same round, scenario and loop measured at
  // kOpenLoopConnections x kOpenLoopSize (half_peak_rate).
  bool half_peak = false;
};

inline constexpr std::uint64_t kOpenLoopConnections = 100, kOpenLoopSize = 1024;

const std::vector<std::string>& matrix_scenarios();
// Throws std::invalid_argument for an unknown scenario.
std::vector<std::string> parse_scenarios(const std::string& list);
// Every round's steps, rounds 1 to options.repeat.
std::vector<MatrixStep> plan_matrix(const MatrixOptions& options);
// The steps of round `round` alone; `shuffle` is the order's generator,
// seeded once with options.seed and kept from round to round, so that the
// rounds planned one at a time (rounds until decided) are those
// plan_matrix plans at once.
std::vector<MatrixStep> plan_round(const MatrixOptions& options, int round,
                                   std::mt19937_64& shuffle);
// Half the messages/s of the closed-loop row at kOpenLoopConnections x
// kOpenLoopSize in a bench echo results document; nullopt without one.
std::optional<double> half_peak_rate(const nlohmann::json& closed_step_doc);

}  // namespace lb
