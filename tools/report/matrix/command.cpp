#include "tools/report/matrix/command.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <tuple>

#include "backends/registry.hpp"
#include "protocols/ws/session.hpp"
#include "tools/net/profile.hpp"
#include "tools/options/options.hpp"
#include "tools/process/child_process.hpp"
#include "tools/process/cpu.hpp"
#include "tools/process/interruption.hpp"
#include "tools/process/this_process.hpp"
#include "tools/report/baseline.hpp"
#include "tools/report/comparisons.hpp"
#include "tools/report/matrix/disturbance.hpp"
#include "tools/report/matrix/merge.hpp"
#include "tools/report/matrix/plan.hpp"
#include "tools/report/matrix/report.hpp"
#include "tools/report/matrix/rounds.hpp"
#include "tools/report/results.hpp"

namespace lb {
namespace {

struct Options {
  std::string profile = "quick";
  std::string loops = "all";
  std::string codecs = "all";
  std::string scenarios = "all";
  std::string rounds = "auto";  // --rounds (--repeat): auto or a number
  int max_rounds = 40;
  double time_budget_s = -1;  // -1: the profile's
  std::string out;
  std::string baseline;
  double threshold = 5;
  int server_cpu = -2, client_cpu = -2;  // -2: pinned when there are two CPUs
  std::string chunk;
  std::string data_dir = "results";
  bool peers = false;
  std::string open_loop;  // yes | no; empty: the profile's
  std::string net;        // every step's --net
  std::string reference;  // empty: epoll, or the first loop without it
  double margin_pct = 3;
  std::optional<std::uint64_t> seed;  // empty: a random one, recorded
};

std::string last_line_of_file(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

int run_matrix(const Options& o) {
  // Ctrl-C: the step under way gets it too (one process group) and keeps
  // what it finished; no step starts after it, and the rounds done are
  // reported, marked interrupted.
  const Interruption interruption;
  const std::string started = utc_timestamp();
  MatrixOptions m;
  std::vector<std::string> notes;
  try {
    m.profile = matrix_profile(o.profile);
    m.scenarios = parse_scenarios(o.scenarios);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  m.loops = select_backends(o.loops, notes);
  m.codecs = checked_list("--codecs", o.codecs, ws::built_codec_names(), "codec");
  for (const auto& n : notes)
    std::fprintf(stderr, "bench: %s\n", n.c_str());
  const std::string reference =
      !o.reference.empty() ? o.reference
      : std::find(m.loops.begin(), m.loops.end(), "epoll") != m.loops.end() || m.loops.empty()
          ? "epoll"
          : m.loops.front();
  if (std::find(m.loops.begin(), m.loops.end(), reference) == m.loops.end())
    throw UsageError("--reference: '" + reference + "' is not one of the loops run (" +
                     fmt::format("{}", fmt::join(m.loops, ", ")) + ")");
  if (o.margin_pct < 0 || o.margin_pct >= 100)
    throw UsageError("--margin: expected a percentage from 0 to below 100");
  m.seed = o.seed ? *o.seed : std::random_device{}();
  const RoundsPlan rounds(o.rounds, o.max_rounds,
                          o.time_budget_s >= 0 ? o.time_budget_s : m.profile.time_budget_s);
  if (o.threshold < 0) throw UsageError("--threshold must be >= 0");
  const bool two_cpus = online_cpus() >= 2;
  m.server_cpu = o.server_cpu == -2 ? (two_cpus ? 0 : -1) : o.server_cpu;
  m.client_cpu = o.client_cpu == -2 ? (two_cpus ? 1 : -1) : o.client_cpu;
  m.ws_chunk = o.chunk;
  m.peers = o.peers;
  if (!o.open_loop.empty() && o.open_loop != "yes" && o.open_loop != "no")
    throw UsageError("--open-loop: expected yes or no, got '" + o.open_loop + "'");
  m.echo_open = o.open_loop.empty() ? m.profile.echo_open : o.open_loop == "yes";
  if (!o.net.empty() && o.peers)
    throw UsageError("--net runs our own clients only: leave out --peers");
  if (!o.net.empty()) net::parse_profile(o.net);  // a bad one fails here, not in every step
  m.net = o.net;
  nlohmann::json baseline;
  if (!o.baseline.empty()) baseline = read_json_file(o.baseline, "--baseline");

  std::string ts = started;
  std::replace(ts.begin(), ts.end(), ':', '-');
  const std::filesystem::path out =
      o.out.empty() ? std::filesystem::path("results") / ts : std::filesystem::path(o.out);
  std::error_code made;
  std::filesystem::create_directories(out / "steps", made);
  if (made)
    throw UsageError("--out: cannot make the directory '" + (out / "steps").string() +
                     "': " + made.message());
  check_output_file("--out", (out / "results.json").string());
  const std::string exe = executable_path();
  const bool tty = stderr_is_terminal();

  if (std::find(m.scenarios.begin(), m.scenarios.end(), "stream") != m.scenarios.end()) {
    std::filesystem::create_directories(o.data_dir);
    m.stream_file =
        (std::filesystem::path(o.data_dir) / ("testdata-" + m.profile.stream_size + ".bin"))
            .string();
    const std::string log = (out / "steps" / "generate.log").string();
    if (run_child({exe, "stream", "generate", "--size=" + m.profile.stream_size,
                   "--file=" + m.stream_file},
                  log, log) != 0)
      throw std::runtime_error("cannot generate the stream file: " + last_line_of_file(log));
  }

  // Each closed-loop echo step's results, by round, scenario and loop: its
  // open-loop step runs at half that peak.
  std::map<std::tuple<int, std::string, std::string>, nlohmann::json> closed_echo;
  MatrixResults results;
  nlohmann::json failed = nlohmann::json::array();
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::mt19937_64 shuffle(*m.seed);
  std::vector<Comparison> comparisons;
  int rounds_run = 0;
  int analysed_at = 0;
  // What ended the rounds: all run, all decided, the most allowed, the budget.
  std::string stopped = rounds.until_decided() ? "max rounds" : "rounds";
  std::size_t step_number = 0;
  // Runs one step; its results document, when it wrote one.
  const auto run_step = [&](const MatrixStep& step) -> std::optional<nlohmann::json> {
    const std::string where = step.codec.empty() ? step.loop : step.loop + "-" + step.codec;
    ++step_number;
    if (tty)
      std::fprintf(stderr, "\r\033[Kmatrix  step %zu  round %d/%d%s  %s on %s  %.0f s", step_number,
                   step.round, rounds.most(), rounds.until_decided() ? " at most" : "",
                   step.scenario.c_str(), where.c_str(), elapsed_s());
    const std::string base = (out / "steps" /
                              fmt::format("{:03}-{}{}-{}-r{}", step_number, step.scenario,
                                          step.half_peak ? "-open" : "", where, step.round))
                                 .string();
    auto args = step.args;
    const std::tuple<int, std::string, std::string> echo_key{step.round, step.scenario, step.loop};
    if (step.half_peak) {
      const auto rate = half_peak_rate(closed_echo[echo_key]);
      if (!rate) {
        failed.push_back({{"scenario", step.scenario},
                          {"loop", step.loop},
                          {"codec", step.codec},
                          {"round", step.round},
                          {"exit_code", 1},
                          {"message", "open loop: no closed-loop peak at 100 x 1 KiB to halve"},
                          {"log", ""}});
        return std::nullopt;
      }
      args.push_back(fmt::format("--rate={:.0f}", *rate));
    }
    args.push_back("--json=" + base + ".json");
    args.insert(args.begin(), exe);
    const int rc = run_child(args, base + ".log", base + ".log");
    if (Interruption::requested()) return std::nullopt;  // a step cut short counts for nothing
    std::optional<nlohmann::json> step_doc;
    if (std::ifstream json_in(base + ".json"); json_in) {
      step_doc = nlohmann::json::parse(json_in);
      if (step.scenario.rfind("echo-", 0) == 0 && !step.half_peak)
        closed_echo[echo_key] = *step_doc;
    }
    if (rc != 0)
      failed.push_back({{"scenario", step.scenario},
                        {"loop", step.loop},
                        {"codec", step.codec},
                        {"round", step.round},
                        {"exit_code", rc},
                        {"message", last_line_of_file(base + ".log")},
                        {"log", base + ".log"}});
    return step_doc;
  };
  // One scenario's steps of a round: the variants compared with each other.
  const auto run_group = [&](const std::vector<MatrixStep>& group) {
    std::vector<nlohmann::json> docs;
    for (const auto& step : group)
      if (auto doc = run_step(step)) docs.push_back(std::move(*doc));
    // A round cut short has no pairs to give.
    if (Interruption::requested()) docs.clear();
    return docs;
  };
  DisturbanceJudge disturbance;
  nlohmann::json flagged = nlohmann::json::array();
  for (int round = 1; round <= rounds.most(); ++round) {
    if (!rounds.budget_allows(round, elapsed_s())) {
      stopped = "time budget";
      break;
    }
    const auto steps = plan_round(m, round, shuffle);
    for (std::size_t first = 0; first < steps.size();) {
      std::size_t end = first;
      while (end < steps.size() && steps[end].scenario == steps[first].scenario)
        ++end;
      const std::vector<MatrixStep> group(steps.begin() + static_cast<std::ptrdiff_t>(first),
                                          steps.begin() + static_cast<std::ptrdiff_t>(end));
      const std::string& scenario = group.front().scenario;
      first = end;
      auto docs = run_group(group);
      // A disturbed round of a scenario is run again once, every variant
      // of it, so that its pairs stay pairs; the first try is listed.
      for (int tries = 1; !Interruption::requested(); ++tries) {
        auto why = disturbance.judge(scenario, docs);
        if (why.empty()) break;
        flagged.push_back({{"round", round},
                           {"scenario", scenario},
                           {"why", why},
                           {"action", tries == 1 ? "repeated" : "kept"}});
        if (tries == 2) break;
        docs = run_group(group);
      }
      disturbance.add(scenario, docs);
      for (const auto& doc : docs)
        results.add(doc, round);
    }
    if (Interruption::requested()) {
      stopped = "interrupted";
      break;
    }
    rounds_run = round;
    if (!rounds.is_look(round)) continue;
    comparisons =
        compare_rows(results.runs(m.loops), reference, o.margin_pct / 100, rounds.level());
    analysed_at = round;
    const bool decided = std::none_of(comparisons.begin(), comparisons.end(), [](const auto& c) {
      return c.judgement == Judgement::undecided;
    });
    if (rounds.until_decided() && decided && round < rounds.most()) {
      stopped = "decided";
      break;
    }
  }
  // A stop between looks (the budget) is the last analysis: it takes the
  // place of the planned looks that did not come, so the level holds.
  if (analysed_at != rounds_run || Interruption::requested())
    comparisons =
        compare_rows(results.runs(m.loops), reference, o.margin_pct / 100, rounds.level());
  if (tty) std::fprintf(stderr, "\r\033[K");

  nlohmann::json doc = results_document({}, started);
  doc["runs"] = results.runs(m.loops);
  doc["matrix"] = {{"profile", m.profile.name},
                   {"rounds", rounds_run},
                   {"rounds_plan", rounds.to_json()},
                   {"stopped", stopped},
                   {"open_loop", m.echo_open},
                   {"scenarios", m.scenarios},
                   {"loops", m.loops},
                   {"codecs", m.codecs},
                   {"order",
                    "rounds; in each round every scenario runs every loop (and codec), in an "
                    "order shuffled for each round and scenario with the seed"},
                   {"seed", *m.seed},
                   {"reference", reference},
                   {"margin", o.margin_pct / 100},
                   {"server_cpu", m.server_cpu},
                   {"client_cpu", m.client_cpu},
                   {"ws_chunk", o.chunk.empty() ? "default" : o.chunk},
                   {"peers", m.peers},
                   {"failed_steps", failed},
                   {"flagged_rounds", flagged}};
  doc["matrix"]["level"] = rounds.level();
  doc["comparisons"] = comparisons_json(comparisons);
  std::vector<RowComparison> verdicts;
  if (!o.baseline.empty()) {
    try {
      verdicts = compare_results(baseline, doc, o.threshold);
    } catch (const std::exception& e) {
      throw UsageError(std::string("--baseline: ") + e.what());
    }
  }
  write_file(out / "results.json", doc.dump(2) + "\n");
  write_file(out / "results.csv", results_csv(doc["runs"]));
  const std::string md = matrix_markdown(doc, verdicts);
  write_file(out / "summary.md", md);
  write_file(out / "report.html", matrix_html(doc, verdicts));
  fmt::print("{}\n", md);
  for (const auto& f : failed)
    fmt::print("failed step: {} on {} (round {}): {} — see {}\n", f["scenario"].get<std::string>(),
               f["loop"].get<std::string>(), f["round"].get<int>(), f["message"].get<std::string>(),
               f["log"].get<std::string>());
  fmt::print("results: {} (and results.csv)\nsummary: {}\nreport:  {}\n",
             (out / "results.json").string(), (out / "summary.md").string(),
             (out / "report.html").string());
  if (Interruption::requested()) {
    std::fprintf(stderr,
                 "bench matrix: interrupted in round %d: the results above hold every step that "
                 "finished (%d whole rounds)\n",
                 rounds_run + 1, rounds_run);
    return 130;
  }
  if (any_regression(verdicts)) return kExitRegression;
  return failed.empty() ? 0 : 1;
}

}  // namespace

void register_matrix_command(CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "matrix", "Every scenario on every loop, repeated and interleaved; report and baseline");
  cmd->add_option("--profile", o->profile, "quick (under 5 minutes) or full (original sizes)")
      ->capture_default_str();
  cmd->add_option("--loops,--loop", o->loops, "epoll, libuv, uring, a comma list, or all")
      ->capture_default_str();
  cmd->add_option("--codecs", o->codecs,
                  "WebSocket codecs of the ws and wss scenarios (both ends): native, wslay, a "
                  "comma list, or all")
      ->capture_default_str();
  cmd->add_option("--scenarios", o->scenarios,
                  "tcp, http, ws, wss, stream, echo-tcp, echo-ws, a comma list, or all")
      ->capture_default_str();
  cmd->add_option("--rounds,--repeat", o->rounds,
                  "auto: rounds until every comparison is decided (or --max-rounds, or "
                  "--time-budget); or a number of rounds (6 are the fewest that give a 95 % "
                  "interval)")
      ->capture_default_str();
  cmd->add_option("--max-rounds", o->max_rounds, "--rounds=auto: the most rounds")
      ->capture_default_str();
  cmd->add_option("--time-budget", o->time_budget_s,
                  "--rounds=auto: seconds after which no round starts that would overrun them "
                  "(0: none; default 270 for quick, 3600 for full; units as 5m)")
      ->transform(seconds_option());
  cmd->add_option("--reference", o->reference,
                  "The loop every other loop is compared with, round by round (default epoll)");
  cmd->add_option("--margin", o->margin_pct,
                  "Percent within which a whole interval makes two loops the same")
      ->check(finite_number())
      ->capture_default_str();
  cmd->add_option("--seed", o->seed,
                  "Seed of each round's shuffled step order (default: a random one, recorded in "
                  "results.json)")
      ->check(unsigned_count());
  cmd->add_option("--out", o->out, "Output directory (default results/<timestamp>)");
  cmd->add_option("--baseline", o->baseline, "An earlier results.json to compare with");
  cmd->add_option("--threshold", o->threshold,
                  "--baseline: percent the new/old ratio must move to be a regression")
      ->check(finite_number())
      ->capture_default_str();
  cmd->add_option("--server-cpu", o->server_cpu, "Pin servers to this CPU (default 0 on 2+ CPUs)")
      ->check(cpu_option());
  cmd->add_option("--client-cpu", o->client_cpu, "Pin clients to this CPU (default 1 on 2+ CPUs)")
      ->check(cpu_option());
  cmd->add_option("--chunk", o->chunk, "Message size for ws and wss (bench ws --chunk)");
  cmd->add_option("--data-dir", o->data_dir, "Where the stream scenario's file is generated")
      ->capture_default_str();
  cmd->add_flag("--peers", o->peers,
                "Also run every peer client (bench http/ws --peers=all) in the http, ws and wss "
                "scenarios, once per round");
  cmd->add_option("--net", o->net,
                  "Every step over an emulated path in network namespaces (bench tcp --net): lan, "
                  "wan, mobile, or rtt=20ms,rate=1gbit[,loss=0.1%][,jitter=2ms]");
  cmd->add_option("--open-loop", o->open_loop,
                  "yes: after each loop's closed-loop echo step, an open-loop step at half the "
                  "messages/s it reached at 100 connections x 1 KiB (server CPU per message at "
                  "equal load); the full profile's default");
  cmd->footer(
      "Exit codes: 0 all rows measured and no regression; 1 a step failed (listed, with its\n"
      "log); 2 bad usage; 3 a row regressed against --baseline (the 95 % interval of its\n"
      "new/old throughput lies below 1 and the ratio is more than --threshold down).\n"
      "Every loop is compared with --reference round by round: docs/statistics.md.");
  cmd->callback([o, &run] { run = [o] { return run_matrix(*o); }; });
}

}  // namespace lb
