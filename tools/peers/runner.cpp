#include "tools/peers/runner.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tools/options/options.hpp"
#include "tools/options/usage_error.hpp"
#include "tools/process/child_process.hpp"
#include "tools/process/this_process.hpp"

namespace lb {
namespace {

const char* const kPython = "/usr/bin/python3";  // the interpreter with Debian's packages
const char* const kNodePath = "NODE_PATH=/usr/share/nodejs";

bool blocking_mode(const std::string& mode) {
  return mode == "sync" || mode == "threads";
}

std::string row_loop(const PeerClient& peer, const std::string& mode,
                     const std::string& event_loop) {
  if (!peer.program.empty()) return peer.program;  // the tool's own loop
  if (peer.runtime == "node") return "node";
  return blocking_mode(mode) ? "python-threads" : "python-" + event_loop;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh pair of files for one child's stdout and stderr, removed on scope exit.
struct CapturedOutput {
  std::filesystem::path out, err;
  CapturedOutput() {
    static std::atomic<int> next{0};
    const auto base =
        std::filesystem::temp_directory_path() /
        ("loopbench-peer-" + std::to_string(this_pid()) + "-" + std::to_string(next++));
    out = base.string() + ".out";
    err = base.string() + ".err";
  }
  ~CapturedOutput() {
    std::error_code ignored;
    std::filesystem::remove(out, ignored);
    std::filesystem::remove(err, ignored);
  }
  CapturedOutput(const CapturedOutput&) = delete;
  CapturedOutput& operator=(const CapturedOutput&) = delete;
};

std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

std::uint64_t as_count(const nlohmann::json& v) {
  return v.is_number() ? v.get<std::uint64_t>() : 0;
}

}  // namespace

std::vector<std::string> runtime_argv(const std::string& runtime) {
  if (runtime == "node") return {"env", kNodePath, "node"};
  return {kPython};
}

bool importable(const std::string& runtime, const std::string& module) {
  static std::map<std::string, bool> known;
  const std::string key = runtime + ":" + module;
  if (auto it = known.find(key); it != known.end()) return it->second;
  auto argv = runtime_argv(runtime);
  if (runtime == "node") {
    argv.insert(argv.end(), {"-e", "require('" + module + "')"});
  } else {
    argv.insert(argv.end(), {"-c", "import " + module});
  }
  bool ok = false;
  try {
    ok = run_child(argv, null_device(), null_device()) == 0;
  } catch (const std::exception&) {
    ok = false;  // no interpreter at all
  }
  return known[key] = ok;
}

std::string peers_dir() {
  if (const char* dir = std::getenv("LOOPBENCH_PEERS_DIR"); dir && *dir) return dir;
  return LOOPBENCH_PEERS_DIR;
}

RunResult peer_row(const PeerClient& peer, RunResult row, int exit_code, const std::string& out,
                   const std::string& err) {
  row.client = peer.library;
  const auto doc = nlohmann::json::parse(out, nullptr, false);
  const bool has_run = doc.is_object() && doc.contains("runs") && doc["runs"].is_array() &&
                       !doc["runs"].empty() && doc["runs"][0].is_object();
  if (!has_run) {
    row.peer_status = "failed";
    const std::string why = last_line(err);
    row.peer_note =
        why.empty() ? "exited with status " + std::to_string(exit_code) + " and no results" : why;
    row.errors = 1;
    row.error_messages.push_back(row.client + ": " + row.peer_note);
    return row;
  }
  const auto& run = doc["runs"][0];
  row.client_version = run.value("client_version", "");
  for (const auto& r : run.value("repeats", nlohmann::json::array()))
    row.repeats.push_back({r.value("duration_s", 0.0), as_count(r.value("bytes", nlohmann::json())),
                           as_count(r.value("requests", nlohmann::json())),
                           r.value("cpu_user_s", 0.0), r.value("cpu_sys_s", 0.0)});
  if (row.bench == "http" || row.bench == "echo") {
    row.latency_ns.emplace();
    for (const auto& ns : run.value("latency_ns_samples", nlohmann::json::array()))
      row.latency_ns->record(as_count(ns));
  }
  for (const auto& ns : run.value("loop_lag_ns_samples", nlohmann::json::array()))
    row.loop_lag_ns.record(as_count(ns));
  const auto summary = run.value("summary", nlohmann::json::object());
  row.connections_known = summary.contains("connections");
  row.connections = as_count(summary.value("connections", nlohmann::json()));
  row.errors = as_count(summary.value("errors", nlohmann::json()));
  if (summary.contains("http_versions"))
    row.summary_extra["http_versions"] = summary["http_versions"];
  for (const auto& m : run.value("error_messages", nlohmann::json::array()))
    if (m.is_string()) row.error_messages.push_back(row.client + ": " + m.get<std::string>());
  if (exit_code != 0 && row.errors == 0) {  // it wrote results, then failed anyway
    row.errors = 1;
    row.error_messages.push_back(row.client + ": exited with status " + std::to_string(exit_code) +
                                 ": " + last_line(err));
  }
  row.peer_status = row.errors ? "failed" : "ok";
  if (row.errors) row.peer_note = row.error_messages.front();
  return row;
}

void add_vs_ours(std::vector<RunResult>& runs, const std::vector<Comparison>& comparisons) {
  for (auto& peer : runs) {
    if (peer.client.empty()) continue;
    const auto row = run_to_json(peer);
    const std::string label = row_label(row), group = comparison_group(row);
    for (const auto& c : comparisons) {
      if (c.against != "client" || c.metric != "throughput" || c.row != label || c.group != group)
        continue;
      nlohmann::json vs = {
          {"reference", c.reference}, {"verdict", judgement_word(c)}, {"text", comparison_text(c)}};
      if (c.interval)
        vs.update(
            {{"ratio", c.interval->ratio}, {"low", c.interval->low}, {"high", c.interval->high}});
      peer.summary_extra["vs_ours"] = vs;
    }
  }
}

std::string vs_ours_text(const RunResult& row) {
  const auto it = row.summary_extra.find("vs_ours");
  if (it == row.summary_extra.end()) return "";
  return it->value("text", "") + " (" + it->value("reference", "") + ")";
}

namespace {

// One process of the peer's script: one counted repeat.
AttemptResult peer_attempt(const PeerClient& peer, const std::vector<std::string>& argv,
                           const RunResult& fixed, PeerRow::Totals& totals,
                           const std::function<std::optional<double>()>& server_cpu) {
  CapturedOutput captured;
  int exit_code = -1;
  std::string start_error;
  const auto server_before = server_cpu ? server_cpu() : std::nullopt;
  try {
    exit_code = run_child(argv, captured.out.string(), captured.err.string());
  } catch (const std::exception& e) {
    start_error = e.what();
  }
  const auto server_after = server_cpu ? server_cpu() : std::nullopt;
  RunResult one = peer_row(peer, fixed, exit_code, read_file(captured.out),
                           start_error.empty() ? read_file(captured.err) : start_error);
  AttemptResult a;
  a.connections = one.connections;
  totals.client_version = one.client_version;
  totals.connections_known = one.connections_known;
  if (one.errors || one.repeats.size() != 1) {
    a.failed = std::max<std::uint64_t>(one.errors, 1);
    a.errors = one.error_messages;
    if (a.errors.empty()) a.errors.push_back(one.client + ": no repeat in its results");
    a.error = a.errors.front();
    return a;
  }
  a.repeat = one.repeats.front();
  if (server_before && server_after) a.repeat.server_cpu_s = *server_after - *server_before;
  a.loop_lag_ns = one.loop_lag_ns;
  a.latency_ns = one.latency_ns;
  if (const auto v = one.summary_extra.find("http_versions"); v != one.summary_extra.end())
    for (const auto& [version, n] : v->items())
      totals.http_versions[version] = totals.http_versions.value(version, 0) + n.get<int>();
  return a;
}

}  // namespace

std::vector<PeerRow> peer_rows(const PeerClient& peer, const PeerWorkload& w) {
  std::vector<PeerRow> rows;
  const std::string& mode = w.row.mode;
  if (std::find(peer.modes.begin(), peer.modes.end(), mode) == peer.modes.end()) return rows;
  std::vector<std::string> event_loops{""};
  if (!blocking_mode(mode) && !peer.event_loops.empty()) event_loops = peer.event_loops;
  for (const auto& event_loop : event_loops) {
    PeerRow out;
    RunResult& row = out.row;
    row = w.row;
    row.client = peer.library;
    row.loop = row_loop(peer, mode, event_loop);
    row.params["peer"] = peer.name;
    std::string missing;
    if (!importable(peer.runtime, peer.module) || (!peer.program.empty() && !on_path(peer.program)))
      missing = peer.install;
    else if (event_loop == "uvloop" && !importable("python", "uvloop"))
      missing = "apt-get install python3-uvloop";
    else if (w.row.params.value("http_version", "1.1") == "2" &&
             !importable(peer.runtime, peer.http2_module))
      missing = peer.http2_install;
    if (!missing.empty()) {
      row.peer_status = "not installed";
      row.peer_note = missing;
      rows.push_back(std::move(out));
      continue;
    }
    auto argv = runtime_argv(peer.runtime);
    argv.push_back((std::filesystem::path(peers_dir()) / peer.script).string());
    argv.insert(argv.end(), w.args.begin(), w.args.end());
    argv.insert(argv.end(), {"--repeat", "1"});
    if (!event_loop.empty()) argv.insert(argv.end(), {"--event-loop", event_loop});
    auto totals = std::make_shared<PeerRow::Totals>();
    const RunResult fixed = row;
    out.attempt = [&peer, argv, fixed, totals, server_cpu = w.server_cpu](const std::string&,
                                                                          bool counted) {
      // A warm-up round: the script warms itself up in every process it
      // starts (--warmup in the workload's arguments).
      if (!counted) {
        AttemptResult nothing;
        nothing.connections = 0;
        return nothing;
      }
      return peer_attempt(peer, argv, fixed, *totals, server_cpu);
    };
    out.finish = [totals](RunResult& done) {
      done.client_version = totals->client_version;
      done.connections_known = totals->connections_known;
      if (!totals->http_versions.empty())
        done.summary_extra["http_versions"] = totals->http_versions;
      done.peer_status = done.errors ? "failed" : "ok";
      if (done.errors && !done.error_messages.empty()) done.peer_note = done.error_messages.front();
    };
    rows.push_back(std::move(out));
  }
  return rows;
}

}  // namespace lb
