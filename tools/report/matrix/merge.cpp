#include "tools/report/matrix/merge.hpp"

#include <algorithm>
#include <tuple>

#include "engine/statistics/stats.hpp"
#include "tools/report/results.hpp"

namespace lb {
namespace {

RepeatResult repeat_from(const nlohmann::json& j) {
  RepeatResult r;
  r.duration_s = j.value("duration_s", 0.0);
  r.bytes = j.value("bytes", std::uint64_t{0});
  r.requests = j.value("requests", std::uint64_t{0});
  r.cpu_user_s = j.value("cpu_user_s", 0.0);
  r.cpu_sys_s = j.value("cpu_sys_s", 0.0);
  if (j.contains("server_cpu_s")) r.server_cpu_s = j.at("server_cpu_s").get<double>();
  return r;
}

double median_of(std::vector<double> v) {
  return spread_of(std::move(v)).median;
}

nlohmann::json merge(const std::vector<nlohmann::json>& rounds) {
  const nlohmann::json& first = rounds.front();
  RunResult run;
  run.bench = first.at("bench");
  run.loop = first.at("loop");
  run.mode = first.at("mode");
  run.codec = first.value("codec", "");
  run.size_bytes = first.value("size_bytes", std::uint64_t{0});
  run.tls = first.value("tls", false);
  run.params = first.value("params", nlohmann::json::object());
  run.params["repeat"] = rounds.size();
  if (first.contains("peer")) {  // a peer's rows: keep who it was and whether it ran
    run.client = first.value("client", "");
    run.client_version = first["peer"].value("version", "");
    run.peer_status = first["peer"].value("status", "");
    run.peer_note = first["peer"].value("note", "");
    run.connections_known = first.at("summary").contains("connections");
  }
  double lag_p99 = 0, lag_max = 0;
  bool have_lag = false, verified = true, have_verified = false;
  std::map<std::string, std::vector<double>> latency, service_latency, stream_speed;
  std::vector<double> asked_rate;  // open loop: each round asks its own rate
  std::uint64_t slots = 0, late = 0;
  nlohmann::json cache = nlohmann::json::array();
  std::uint64_t rss_client = 0, rss_server = 0;
  // Per merged repeat: its round, and that round's p99 when its step had
  // one repeat (a step's percentiles are over all its repeats).
  std::vector<nlohmann::json> repeat_tags;
  for (const auto& r : rounds) {
    const auto& reps = r.at("repeats");
    for (const auto& rep : reps) {
      run.repeats.push_back(repeat_from(rep));
      nlohmann::json tag = {{"round", r.value("round", 0)}};
      if (rep.contains("machine")) tag["machine"] = rep["machine"];
      const auto& sum = r.at("summary");
      if (reps.size() == 1 && sum.contains("latency_us") && sum["latency_us"].contains("p99"))
        tag["latency_p99_us"] = sum["latency_us"]["p99"];
      repeat_tags.push_back(std::move(tag));
    }
    const auto& s = r.at("summary");
    run.connections += s.value("connections", std::uint64_t{0});
    run.errors += s.value("errors", std::uint64_t{0});
    if (r.contains("peer") && r["peer"].value("status", "") == "failed") {
      run.peer_status = "failed";
      run.peer_note = r["peer"].value("note", "");
    }
    if (s.contains("error_messages"))
      for (const auto& m : s["error_messages"])
        run.error_messages.push_back(m);
    if (s.contains("loop_lag_ms")) {
      have_lag = true;
      lag_p99 = std::max(lag_p99, s["loop_lag_ms"].value("p99", 0.0));
      lag_max = std::max(lag_max, s["loop_lag_ms"].value("max", 0.0));
    }
    if (s.contains("latency_us"))
      for (const auto& [k, v] : s["latency_us"].items())
        latency[k].push_back(v.get<double>());
    if (s.contains("service_latency_us"))
      for (const auto& [k, v] : s["service_latency_us"].items())
        service_latency[k].push_back(v.get<double>());
    if (s.contains("rate")) {
      asked_rate.push_back(s["rate"].value("asked", 0.0));
      slots += s["rate"].value("slots", std::uint64_t{0});
      late += s["rate"].value("late", std::uint64_t{0});
    }
    if (s.contains("verified")) {
      have_verified = true;
      verified = verified && s["verified"].get<bool>();
    }
    for (const char* k : {"hash_bytes_per_s", "disk_read_bytes_per_s"})
      if (s.contains(k) && s[k].value("median", 0.0) > 0)
        stream_speed[k].push_back(s[k]["median"].get<double>());
    if (s.contains("cache"))
      for (const auto& c : s["cache"])
        cache.push_back(c);
    if (s.contains("peak_rss_kib")) {
      rss_client = std::max(rss_client, s["peak_rss_kib"].value("client", std::uint64_t{0}));
      rss_server = std::max(rss_server, s["peak_rss_kib"].value("server", std::uint64_t{0}));
    }
  }
  if (have_verified) run.verified = verified;
  nlohmann::json out = run_to_json(run);
  for (std::size_t i = 0; i < repeat_tags.size() && i < out["repeats"].size(); ++i)
    out["repeats"][i].update(repeat_tags[i]);
  auto& summary = out["summary"];
  summary.erase("loop_lag_ms");
  if (have_lag) summary["loop_lag_ms"] = {{"p99", lag_p99}, {"max", lag_max}};
  for (auto& [key, percentiles] :
       {std::pair{"latency_us", &latency}, std::pair{"service_latency_us", &service_latency}}) {
    if (percentiles->empty()) continue;
    nlohmann::json l = nlohmann::json::object();
    for (auto& [k, v] : *percentiles)
      l[k] = median_of(v);
    summary[key] = l;
  }
  if (!asked_rate.empty()) {
    summary["rate"] = {{"asked", median_of(asked_rate)}, {"slots", slots}, {"late", late}};
    if (summary.contains("req_per_s"))
      summary["rate"]["achieved"] = summary["req_per_s"].value("median", 0.0);
  }
  for (auto& [k, v] : stream_speed)
    summary[k] = to_json(spread_of(v));
  if (!cache.empty()) summary["cache"] = cache;
  if (rss_client || rss_server)
    summary["peak_rss_kib"] = {{"client", rss_client}, {"server", rss_server}};
  return out;
}

}  // namespace

void MatrixResults::add(const nlohmann::json& step_doc, int round) {
  for (const auto& run : step_doc.at("runs")) {
    Key key{run.at("bench"),         run.at("mode"),
            row_label(run),          run.value("size_bytes", std::uint64_t{0}),
            run.value("tls", false), row_variant(run)};
    if (!rounds_.count(key)) order_.push_back(key);
    rounds_[key].push_back(run);
    rounds_[key].back()["round"] = round;
  }
}

nlohmann::json MatrixResults::runs(const std::vector<std::string>& loop_order) const {
  std::vector<nlohmann::json> merged;
  for (const auto& key : order_)
    merged.push_back(merge(rounds_.at(key)));
  // A group: everything that tells rows apart but the loop and codec.
  const auto group = [](const nlohmann::json& run) {
    return std::make_tuple(run.value("bench", ""), run.value("mode", ""),
                           run.value("size_bytes", std::uint64_t{0}), run.value("tls", false),
                           row_variant(run), run.value("client", "loopbench"));
  };
  std::vector<decltype(group(merged.front()))> groups;
  for (const auto& run : merged)
    if (std::find(groups.begin(), groups.end(), group(run)) == groups.end())
      groups.push_back(group(run));
  const auto rank = [&](const nlohmann::json& run) {
    const auto g = std::find(groups.begin(), groups.end(), group(run)) - groups.begin();
    const auto loop =
        std::find(loop_order.begin(), loop_order.end(), run.value("loop", "")) - loop_order.begin();
    return std::make_tuple(g, run.value("codec", ""), loop);
  };
  std::stable_sort(merged.begin(), merged.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  nlohmann::json out = nlohmann::json::array();
  for (auto& run : merged)
    out.push_back(std::move(run));
  return out;
}

}  // namespace lb
