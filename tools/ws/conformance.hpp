#pragma once
// Our WebSocket client under Autobahn|Testsuite's fuzzingserver: the
// suite's own protocol for testing clients. The client asks
// /getCaseCount (a text message with the count), then for each case opens
// /runCase?case=N&agent=A and echoes every message it receives, text as
// text and binary as binary, until the suite closes; /updateReports?agent=A
// last makes the suite write its report. The verdicts are the suite's: this
// side only runs the cases, on one loop and codec.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/loop.hpp"
#include "protocols/ws/session.hpp"
#include "tools/ws/connect.hpp"

namespace lb {

struct ConformanceSpec {
  WsUrl server;       // ws://HOST:PORT of the fuzzingserver
  std::string agent;  // the name the suite's report gives this client
  ws::SessionOptions session;
  std::optional<int> last_case;                    // run cases 1..last_case only (all when unset)
  std::chrono::milliseconds step_timeout{60'000};  // per connection
};

struct ConformanceResult {
  int case_count = 0;  // what the suite offered
  int cases_run = 0;
  std::string error;  // a step that could not connect or was refused
};

class ConformanceClient {
 public:
  using Done = std::function<void(const ConformanceResult&)>;
  ConformanceClient(Loop& loop, ConformanceSpec spec, Done done);
  ~ConformanceClient();
  void start();

 private:
  class Step;
  void run_step(const std::string& target);
  void step_closed(std::string error);
  void finish(std::string error);

  Loop& loop_;
  ConformanceSpec spec_;
  Done done_;
  ConformanceResult result_;
  std::unique_ptr<Step> step_;
  Timer step_timer_;
  enum class Phase { count, cases, report } phase_ = Phase::count;
};

}  // namespace lb
