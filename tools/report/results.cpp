#include "tools/report/results.hpp"

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <stdexcept>

#include "backends/registry.hpp"
#include "tools/options/usage_error.hpp"
#include "tools/process/cpu.hpp"
#include "tools/process/interruption.hpp"
#include "tools/process/this_process.hpp"
#include "tools/report/command_line.hpp"
#include "tools/report/version.hpp"

namespace lb {
namespace {

template <class F>
Spread spread_over(const std::vector<RepeatResult>& repeats, F&& value) {
  std::vector<double> v;
  for (const auto& r : repeats)
    v.push_back(value(r));
  return spread_of(std::move(v));
}

}  // namespace

std::string spread_text(const Spread& s, double scale, int precision) {
  return fmt::format("{:.{}f} [{:.{}f}-{:.{}f}]", s.median * scale, precision, s.min * scale,
                     precision, s.max * scale, precision);
}

nlohmann::json to_json(const Spread& s) {
  return {{"min", s.min}, {"median", s.median}, {"max", s.max}};
}

std::string utc_timestamp() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(t));
}

namespace {

double ms(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}
double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e3;
}

}  // namespace

std::optional<double> median_rate(const RunResult& row) {
  if (auto r = row.req_per_s()) return r->median;
  return std::nullopt;
}

nlohmann::json percentiles_us(const Histogram& h) {
  return {{"p50", us(h.percentile(0.5))},
          {"p90", us(h.percentile(0.9))},
          {"p99", us(h.percentile(0.99))},
          {"p999", us(h.percentile(0.999))},
          {"max", us(h.max())}};
}

Spread RunResult::duration_s() const {
  return spread_over(repeats, [](const RepeatResult& r) { return r.duration_s; });
}

Spread RunResult::bytes_per_s() const {
  return spread_over(repeats, [](const RepeatResult& r) {
    return r.duration_s > 0 ? static_cast<double>(r.bytes) / r.duration_s : 0.0;
  });
}

Spread RunResult::cpu_s_per_gib() const {
  return spread_over(repeats, [](const RepeatResult& r) {
    const double gib = static_cast<double>(r.bytes) / (1ull << 30);
    return gib > 0 ? (r.cpu_user_s + r.cpu_sys_s) / gib : 0.0;
  });
}

std::optional<Spread> RunResult::server_cpu_s_per_gib() const {
  if (repeats.empty()) return std::nullopt;
  for (const auto& r : repeats)
    if (!r.server_cpu_s) return std::nullopt;
  return spread_over(repeats, [](const RepeatResult& r) {
    const double gib = static_cast<double>(r.bytes) / (1ull << 30);
    return gib > 0 ? *r.server_cpu_s / gib : 0.0;
  });
}

std::optional<Spread> RunResult::req_per_s() const {
  if (repeats.empty() || repeats.front().requests == 0) return std::nullopt;
  return spread_over(repeats, [](const RepeatResult& r) {
    return r.duration_s > 0 ? static_cast<double>(r.requests) / r.duration_s : 0.0;
  });
}

std::optional<Spread> RunResult::cpu_us_per_req() const {
  if (repeats.empty() || repeats.front().requests == 0) return std::nullopt;
  return spread_over(repeats, [](const RepeatResult& r) {
    return (r.cpu_user_s + r.cpu_sys_s) * 1e6 / static_cast<double>(r.requests);
  });
}

nlohmann::json to_json(const MachineEffects& m) {
  nlohmann::json j = {{"probe_us", {m.probe_before_us, m.probe_after_us}}};
  if (m.run_queue_wait_s) j["run_queue_wait_s"] = *m.run_queue_wait_s;
  if (m.steal_s) j["steal_s"] = *m.steal_s;
  if (m.involuntary_switches) j["involuntary_switches"] = *m.involuntary_switches;
  return j;
}

nlohmann::json run_to_json(const RunResult& run) {
  nlohmann::json repeats = nlohmann::json::array();
  for (const auto& r : run.repeats) {
    nlohmann::json j = {{"duration_s", r.duration_s},
                        {"bytes", r.bytes},
                        {"cpu_user_s", r.cpu_user_s},
                        {"cpu_sys_s", r.cpu_sys_s}};
    if (r.requests) j["requests"] = r.requests;
    if (r.server_cpu_s) j["server_cpu_s"] = *r.server_cpu_s;
    if (r.machine) j["machine"] = to_json(*r.machine);
    if (r.round > 0) j["round"] = r.round;
    if (r.latency_p99_us) j["latency_p99_us"] = *r.latency_p99_us;
    repeats.push_back(std::move(j));
  }
  nlohmann::json summary = {
      {"duration_s", to_json(run.duration_s())},
      {"bytes_per_s", to_json(run.bytes_per_s())},
      {"cpu_s_per_gib", to_json(run.cpu_s_per_gib())},
      {"errors", run.errors},
  };
  if (run.connections_known) summary["connections"] = run.connections;
  if (auto s = run.server_cpu_s_per_gib()) summary["server_cpu_s_per_gib"] = to_json(*s);
  if (run.has_loop())
    summary["loop_lag_ms"] = {{"p99", ms(run.loop_lag_ns.percentile(0.99))},
                              {"max", ms(run.loop_lag_ns.max())}};
  if (auto r = run.req_per_s()) summary["req_per_s"] = to_json(*r);
  if (auto c = run.cpu_us_per_req()) summary["cpu_us_per_req"] = to_json(*c);
  if (run.latency_ns) {
    summary["latency_us"] = percentiles_us(*run.latency_ns);
  }
  if (run.verified) summary["verified"] = *run.verified;
  for (const auto& [key, value] : run.summary_extra.items())
    summary[key] = value;
  if (!run.error_messages.empty()) summary["error_messages"] = run.error_messages;
  nlohmann::json j = {{"bench", run.bench},   {"client", run.client_name()},  {"loop", run.loop},
                      {"mode", run.mode},     {"size_bytes", run.size_bytes}, {"tls", run.tls},
                      {"params", run.params}, {"repeats", repeats},           {"summary", summary}};
  if (!run.codec.empty()) j["codec"] = run.codec;
  if (run.interrupted) j["interrupted"] = true;
  if (!run.client.empty()) {
    j["peer"] = {{"status", run.peer_status}, {"version", run.client_version}};
    if (!run.peer_note.empty()) j["peer"]["note"] = run.peer_note;
  }
  return j;
}

std::string scenario_of(const nlohmann::json& run) {
  const std::string bench = run.value("bench", "");
  if (bench == "ws" && run.value("tls", false)) return "wss";
  if (bench == "echo")
    return "echo-" +
           run.value("params", nlohmann::json::object()).value("transport", std::string("tcp"));
  return bench;
}

std::string row_label(const nlohmann::json& run) {
  const std::string client = run.value("client", "loopbench");
  const std::string loop = run.value("loop", "");
  const std::string codec = run.value("codec", "");
  if (client != "loopbench") return client + " " + loop;
  return codec.empty() ? loop : loop + " " + codec;
}

std::string row_variant(const nlohmann::json& run) {
  if (run.value("bench", "") != "echo") return "";
  const auto params = run.value("params", nlohmann::json::object());
  std::string v = params.value("transport", std::string("tcp")) + " x" +
                  std::to_string(params.value("connections", std::uint64_t{0}));
  if (const int pipe = params.value("pipeline", 1); pipe != 1)
    v += " pipeline " + std::to_string(pipe);
  return v;
}

nlohmann::json results_document(const std::vector<RunResult>& runs, const std::string& started) {
  const SystemFacts system = system_facts();
  nlohmann::json loops = nlohmann::json::array();
  for (const auto& b : backend_statuses()) {
    nlohmann::json loop = {{"name", b.name}, {"usable", b.usable}, {"mechanisms", b.mechanisms}};
    if (!b.usable) loop["why_not"] = b.why_not;
    loops.push_back(loop);
  }
  nlohmann::json libs = nlohmann::json::object();
  for (const auto& [name, version] : backend_library_versions())
    libs[name] = version;
  nlohmann::json doc = {
      {"schema", kResultsSchema},
      {"tool", {{"version", kLoopbenchVersion}, {"git", kLoopbenchGit}}},
      {"machine",
       {{"cpu", system.cpu_model},
        {"cores", online_cpus()},
        {"kernel", system.kernel},
        {"libs", libs},
        {"loops", loops}}},
      {"started", started},
      {"runs", nlohmann::json::array()},
  };
  if (!command_line().empty()) doc["command"] = command_line();
  for (const auto& run : runs)
    doc["runs"].push_back(run_to_json(run));
  if (Interruption::requested()) doc["interrupted"] = true;
  return doc;
}

bool is_results_schema(const std::string& schema) {
  return schema == kResultsSchema || schema == "loopbench.results/1";
}

nlohmann::json read_json_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read " + what + " '" + path + "'");
  auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw UsageError(what + " '" + path + "' is not JSON");
  return doc;
}

std::optional<double> repeat_figure(const nlohmann::json& run, const nlohmann::json& repeat,
                                    const std::string& metric) {
  const std::string bench = run.value("bench", "");
  const bool requests = bench == "http" || bench == "echo";
  const double amount = requests ? repeat.value("requests", 0.0) : repeat.value("bytes", 0.0);
  if (metric == "throughput") {
    const double seconds = repeat.value("duration_s", 0.0);
    if (seconds > 0 && amount > 0) return amount / seconds;
  } else if (metric == "cpu_per_op" || metric == "server_cpu_per_op") {
    const double ops = requests ? amount : amount / double(1ull << 30);
    const double cpu = metric == "cpu_per_op"
                           ? repeat.value("cpu_user_s", 0.0) + repeat.value("cpu_sys_s", 0.0)
                           : repeat.value("server_cpu_s", 0.0);
    if (ops > 0 && cpu > 0) return cpu / ops;
  } else if (metric == "p99") {
    const double p99 = repeat.value("latency_p99_us", 0.0);
    if (p99 > 0) return p99;
  }
  return std::nullopt;
}

void write_output(const std::string& path, const std::string& text, const std::string& what) {
  if (path == "-") {
    std::fflush(stdout);
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
      throw std::runtime_error("cannot write " + what + " to stdout");
    return;
  }
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + what + " to '" + path + "'");
}

void write_results_file(const std::string& path, const std::vector<RunResult>& runs,
                        const std::string& started, const nlohmann::json& extra) {
  auto doc = results_document(runs, started);
  doc.update(extra);
  write_output(path, doc.dump(2) + "\n", "results");
}

std::string results_csv(const nlohmann::json& runs) {
  std::string out =
      "bench,client,loop,codec,mode,size_bytes,tls,round,duration_s,bytes,requests,bytes_per_s,"
      "ops_per_s,cpu_user_s,cpu_sys_s,server_cpu_s,latency_p99_us,interrupted\n";
  const auto optional = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) ? fmt::format("{}", j[key].get<double>()) : std::string();
  };
  for (const auto& run : runs)
    for (const auto& rep : run.value("repeats", nlohmann::json::array())) {
      const double seconds = rep.value("duration_s", 0.0);
      const auto bytes = rep.value("bytes", std::uint64_t{0});
      const auto requests = rep.value("requests", std::uint64_t{0});
      out += fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", run.value("bench", ""),
          run.value("client", ""), run.value("loop", ""), run.value("codec", ""),
          run.value("mode", ""), run.value("size_bytes", std::uint64_t{0}),
          run.value("tls", false) ? 1 : 0, rep.value("round", 0), seconds, bytes,
          requests ? std::to_string(requests) : "",
          seconds > 0 ? fmt::format("{:.1f}", static_cast<double>(bytes) / seconds) : "",
          seconds > 0 && requests ? fmt::format("{:.1f}", static_cast<double>(requests) / seconds)
                                  : "",
          rep.value("cpu_user_s", 0.0), rep.value("cpu_sys_s", 0.0), optional(rep, "server_cpu_s"),
          optional(rep, "latency_p99_us"), run.value("interrupted", false) ? 1 : 0);
    }
  return out;
}

void write_results_csv(const std::string& path, const std::vector<RunResult>& runs) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& run : runs)
    rows.push_back(run_to_json(run));
  write_output(path, results_csv(rows), "CSV");
}

}  // namespace lb
