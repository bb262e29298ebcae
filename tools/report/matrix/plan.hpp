#pragma once
// What `bench matrix` runs: for each repeat round, every scenario on every
// loop, loops interleaved inside the round (epoll, libuv, uring, epoll, ...)
// so that drift of a shared machine hits every loop alike. ws and wss run
// each loop once per codec (--codec and --server-codec alike), so the
// matrix shows what framing costs. Each step is one
// `bench` command line with --repeat=1 --warmup=0, so a step is exactly what
// a user could run by hand.
#include <string>
#include <vector>

namespace lb {

struct MatrixProfile {
  std::string name;          // quick | full
  std::string tcp_total;     // per direction
  int http_requests = 0;     // per size
  std::string ws_total;      // ws:// and wss://
  std::string stream_size;   // the generated file
  int repeat = 0;            // default rounds
  std::string echo_seconds;  // measured per echo step (100 connections x 1 KiB)
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
};

struct MatrixStep {
  int round = 0;                  // 1-based
  std::string scenario, loop;     // loop "peers": the step of the peer clients
  std::string codec;              // ws and wss: the WebSocket codec of both ends
  std::vector<std::string> args;  // after "bench"; --json is added by the runner
};

const std::vector<std::string>& matrix_scenarios();
// Throws std::invalid_argument for an unknown scenario.
std::vector<std::string> parse_scenarios(const std::string& list);
std::vector<MatrixStep> plan_matrix(const MatrixOptions& options);

}  // namespace lb
