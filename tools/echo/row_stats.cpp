#include "tools/echo/row_stats.hpp"

#include <algorithm>

#include "tools/report/results.hpp"

namespace lb {

double jain_index(const std::vector<std::uint64_t>& counts) {
  double sum = 0, squares = 0;
  for (auto n : counts) {
    sum += static_cast<double>(n);
    squares += static_cast<double>(n) * static_cast<double>(n);
  }
  return squares > 0 ? sum * sum / (static_cast<double>(counts.size()) * squares) : 0;
}

void EchoRowStats::add(const EchoRunResult& r, std::size_t connections) {
  service_ns.merge(r.service_ns);
  connect_ns.merge(r.connect_ns);
  if (r.open_s > 0) opened_per_s.push_back(static_cast<double>(connections) / r.open_s);
  slots.add(r.slots);
  if (r.window_s > 0) {
    reconnects_per_s.push_back(static_cast<double>(r.reconnects) / r.window_s);
    echoed_per_s.push_back(static_cast<double>(r.echoes_in_window) / r.window_s);
  }
  const double jain = jain_index(r.per_connection);
  if (jain < least_jain) {
    least_jain = jain;
    least_fair = r.per_connection;
  }
  const auto per_conn = [connections](std::uint64_t before, std::uint64_t after) {
    return after > before ? static_cast<double>(after - before) / static_cast<double>(connections)
                          : 0.0;
  };
  client_kib_per_conn.push_back(per_conn(r.rss_before_open_kib, r.rss_open_kib));
  if (r.server_rss_before_open_kib && r.server_rss_open_kib)
    server_kib_per_conn.push_back(per_conn(*r.server_rss_before_open_kib, *r.server_rss_open_kib));
}

nlohmann::json EchoRowStats::json(const RunResult& row, const Pacing& pacing, std::uint64_t churn,
                                  bool server, std::optional<MemoryKib> server_memory) const {
  nlohmann::json j;
  if (churn && !reconnects_per_s.empty())
    j["churn"] = {{"messages_per_connection", churn},
                  {"reconnects_per_s", to_json(spread_of(reconnects_per_s))}};
  if (!resources.empty()) j["resources"] = resources;
  j["service_latency_us"] = percentiles_us(service_ns);
  j["connect_ms"] = {{"p50", static_cast<double>(connect_ns.percentile(0.5)) / 1e6},
                     {"p99", static_cast<double>(connect_ns.percentile(0.99)) / 1e6},
                     {"max", static_cast<double>(connect_ns.max()) / 1e6}};
  if (!opened_per_s.empty()) j["opened_per_s"] = to_json(spread_of(opened_per_s));
  if (pacing.open()) {
    j["rate"] = pacing_json(pacing, slots, median_rate(row));
    if (!echoed_per_s.empty()) j["rate"]["echoed"] = spread_of(echoed_per_s).median;
  }
  if (least_fair && !least_fair->empty()) {
    auto counts = *least_fair;
    std::sort(counts.begin(), counts.end());
    j["fairness"] = {{"min", counts.front()},
                     {"median", counts[counts.size() / 2]},
                     {"max", counts.back()},
                     {"jain", least_jain}};
  }
  if (!row.repeats.empty() && row.repeats.front().server_cpu_s) {
    std::vector<double> us;
    for (const auto& r : row.repeats)
      if (r.requests && r.server_cpu_s)
        us.push_back(*r.server_cpu_s * 1e6 / static_cast<double>(r.requests));
    if (!us.empty()) j["server_cpu_us_per_msg"] = to_json(spread_of(us));
  }
  nlohmann::json rss = {{"client_peak", peak_rss_kib()}};
  if (!client_kib_per_conn.empty())
    rss["client_per_connection"] = spread_of(client_kib_per_conn).median;
  if (server) {
    if (server_memory) rss["server_peak"] = server_memory->peak;
    if (!server_kib_per_conn.empty())
      rss["server_per_connection"] = spread_of(server_kib_per_conn).median;
  }
  j["rss_kib"] = rss;
  return j;
}

}  // namespace lb
