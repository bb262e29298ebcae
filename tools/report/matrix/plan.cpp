#include "tools/report/matrix/plan.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "tools/options/options.hpp"
#include "tools/options/usage_error.hpp"

namespace lb {

MatrixProfile matrix_profile(const std::string& name) {
  // quick: under five minutes on 2 cores (its rounds until decided stop
  // at 270 s); full: the original suite's sizes, for up to an hour.
  if (name == "quick")
    return {"quick", "1GiB", 1000, "1GiB", "512MiB", 270, "1", "100", "1KiB", false};
  // The echo sweep: 15 rows of 5 s per loop and transport.
  if (name == "full")
    return {"full",          "10GiB", 1000, "10GiB", "10GiB", 3600, "5", "1,10,100,1000,10000",
            "64,1KiB,16KiB", true};
  throw std::invalid_argument("--profile: expected quick or full, got '" + name + "'");
}

const std::vector<std::string>& matrix_scenarios() {
  static const std::vector<std::string> all{"tcp",    "http",     "ws",     "wss",
                                            "stream", "echo-tcp", "echo-ws"};
  return all;
}

std::vector<std::string> parse_scenarios(const std::string& list) {
  if (list == "all") return matrix_scenarios();
  std::vector<std::string> out;
  for (const auto& s : split_list(list)) {
    const auto& all = matrix_scenarios();
    if (std::find(all.begin(), all.end(), s) == all.end())
      throw std::invalid_argument("--scenarios: unknown scenario '" + s +
                                  "' (tcp, http, ws, wss, stream, echo-tcp, echo-ws or all)");
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

namespace {

std::vector<std::string> scenario_args(const MatrixOptions& o, const std::string& scenario) {
  const MatrixProfile& p = o.profile;
  if (scenario == "tcp") return {"tcp", "--direction=download", "--total=" + p.tcp_total};
  if (scenario == "http")
    return {"http", "--mode=async", "--size=all", "--requests=" + std::to_string(p.http_requests)};
  if (scenario == "ws" || scenario == "wss") {
    std::vector<std::string> a{"ws", "--direction=download", "--total=" + p.ws_total};
    if (!o.ws_chunk.empty()) a.push_back("--chunk=" + o.ws_chunk);
    if (scenario == "wss") a.push_back("--tls");
    return a;
  }
  if (scenario == "echo-tcp" || scenario == "echo-ws")
    return {"echo",
            "--transport=" + scenario.substr(5),
            "--connections=" + p.echo_connections,
            "--size=" + p.echo_sizes,
            "--duration=" + p.echo_seconds,
            "--warmup=0.5"};
  return {"stream", "client", "--test=both", "--file=" + o.stream_file};
}

// One repeat per step, pinned as asked, over the emulated path if asked.
void add_repeat_and_pinning(const MatrixOptions& o, std::vector<std::string>& args) {
  args.push_back("--repeat=1");
  if (o.server_cpu >= 0) args.push_back("--server-cpu=" + std::to_string(o.server_cpu));
  if (o.client_cpu >= 0) args.push_back("--client-cpu=" + std::to_string(o.client_cpu));
  if (!o.net.empty()) args.push_back("--net=" + o.net);
}

}  // namespace

// The open-loop step of an echo scenario: one row at the size and
// connections whose closed-loop peak it halves.
MatrixStep open_loop_step(const MatrixOptions& o, const MatrixStep& closed) {
  MatrixStep step = closed;
  step.half_peak = true;
  step.args = {"echo",
               "--transport=" + closed.scenario.substr(5),
               "--connections=" + std::to_string(kOpenLoopConnections),
               "--size=" + std::to_string(kOpenLoopSize),
               "--duration=" + o.profile.echo_seconds,
               "--warmup=0.5",
               "--loop=" + closed.loop};
  add_repeat_and_pinning(o, step.args);
  return step;
}

std::vector<MatrixStep> plan_round(const MatrixOptions& o, int round, std::mt19937_64& shuffle) {
  std::vector<MatrixStep> steps;
  for (const auto& scenario : o.scenarios) {
    std::vector<std::string> loops = o.loops;
    if (o.peers && (scenario == "http" || scenario == "ws" || scenario == "wss"))
      loops.emplace_back("peers");
    const std::size_t first = steps.size();
    const bool ws = scenario == "ws" || scenario == "wss";
    for (const auto& loop : loops) {
      const std::vector<std::string> codecs =
          ws && loop != "peers" ? o.codecs : std::vector<std::string>{""};
      for (const auto& codec : codecs) {
        MatrixStep step{round, scenario, loop, codec, scenario_args(o, scenario)};
        if (loop == "peers")
          step.args.insert(step.args.end(), {"--peers=all", "--peers-only"});
        else
          step.args.push_back("--loop=" + loop);
        if (!codec.empty())
          step.args.insert(step.args.end(), {"--codec=" + codec, "--server-codec=" + codec});
        if (scenario.rfind("echo-", 0) != 0) step.args.push_back("--warmup=0");  // echo: seconds
        add_repeat_and_pinning(o, step.args);
        steps.push_back(std::move(step));
      }
    }
    if (o.seed)
      std::shuffle(steps.begin() + static_cast<std::ptrdiff_t>(first), steps.end(), shuffle);
    if (o.echo_open && scenario.rfind("echo-", 0) == 0)
      for (std::size_t i = first, end = steps.size(); i < end; ++i)
        steps.push_back(open_loop_step(o, steps[i]));
  }
  return steps;
}

std::vector<MatrixStep> plan_matrix(const MatrixOptions& o) {
  std::vector<MatrixStep> steps;
  std::mt19937_64 shuffle(o.seed.value_or(0));
  for (int round = 1; round <= o.repeat; ++round) {
    auto more = plan_round(o, round, shuffle);
    steps.insert(steps.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  }
  return steps;
}

std::optional<double> half_peak_rate(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("runs")) return std::nullopt;
  for (const auto& run : doc.at("runs")) {
    const auto params = run.value("params", nlohmann::json::object());
    if (run.value("bench", "") != "echo" || run.value("mode", "") != "closed" ||
        params.value("connections", std::uint64_t{0}) != kOpenLoopConnections ||
        run.value("size_bytes", std::uint64_t{0}) != kOpenLoopSize)
      continue;
    const auto summary = run.value("summary", nlohmann::json::object());
    if (!summary.contains("req_per_s") || run.value("repeats", nlohmann::json::array()).empty())
      return std::nullopt;
    const double peak = summary["req_per_s"].value("median", 0.0);
    if (peak > 0) return std::floor(peak / 2);
  }
  return std::nullopt;
}

}  // namespace lb
