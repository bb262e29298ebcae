#include "tools/report/matrix/plan.hpp"

#include <algorithm>
#include <stdexcept>

#include "tools/common/options.hpp"
#include "tools/common/subcommand.hpp"

namespace lb {

MatrixProfile matrix_profile(const std::string& name) {
  // quick: under two minutes on 2 cores; full: the original suite's sizes.
  if (name == "quick") return {"quick", "1GiB", 1000, "1GiB", "512MiB", 5, "1"};
  if (name == "full") return {"full", "10GiB", 1000, "10GiB", "10GiB", 5, "10"};
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
    return {"echo",        "--transport=" + scenario.substr(5), "--connections=100",
            "--size=1KiB", "--duration=" + p.echo_seconds,      "--warmup=0.5"};
  return {"stream", "client", "--test=both", "--file=" + o.stream_file};
}

}  // namespace

std::vector<MatrixStep> plan_matrix(const MatrixOptions& o) {
  std::vector<MatrixStep> steps;
  for (int round = 1; round <= o.repeat; ++round) {
    for (const auto& scenario : o.scenarios) {
      std::vector<std::string> loops = o.loops;
      if (o.peers && scenario != "tcp" && scenario != "stream") loops.emplace_back("peers");
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
          step.args.push_back("--repeat=1");
          if (scenario.rfind("echo-", 0) != 0) step.args.push_back("--warmup=0");  // echo: seconds
          if (o.server_cpu >= 0)
            step.args.push_back("--server-cpu=" + std::to_string(o.server_cpu));
          if (o.client_cpu >= 0)
            step.args.push_back("--client-cpu=" + std::to_string(o.client_cpu));
          steps.push_back(std::move(step));
        }
      }
    }
  }
  return steps;
}

}  // namespace lb
