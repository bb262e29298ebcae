#pragma once
// The statistics of a bench echo row beyond throughput and latency, and
// Jain's fairness index over the messages each connection echoed.
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/statistics/histogram.hpp"
#include "tools/echo/client/run.hpp"
#include "tools/measure/pacing.hpp"
#include "tools/process/cpu.hpp"
#include "tools/report/results.hpp"

namespace lb {

// Jain's fairness index: 1 when every connection echoed as many messages,
// 1/n when one of n did all; 0 for no messages at all.
double jain_index(const std::vector<std::uint64_t>& counts);

// What the counted repeats of one echo row add up to beyond RunResult's
// own fields: service and connect latency, connect rates, open-loop slots,
// the least fair repeat, memory per connection, churn, --interval curves.
struct EchoRowStats {
  Histogram service_ns, connect_ns;
  std::vector<double> opened_per_s;
  SlotCount slots;
  std::optional<std::vector<std::uint64_t>> least_fair;
  double least_jain = 2;
  std::vector<double> client_kib_per_conn, server_kib_per_conn;
  std::vector<double> reconnects_per_s;
  std::vector<double> echoed_per_s;  // open loop: every echo in the window, per second
  nlohmann::json resources = nlohmann::json::array();  // --interval: one curve per repeat

  // One counted repeat of `connections` connections.
  void add(const EchoRunResult& r, std::size_t connections);
  // The row's summary_extra. `server`: whether we started the server (its
  // memory, when the system tells it, is `server_memory`).
  nlohmann::json json(const RunResult& row, const Pacing& pacing, std::uint64_t churn, bool server,
                      std::optional<MemoryKib> server_memory) const;
};

}  // namespace lb
