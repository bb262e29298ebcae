#include "tools/report/repeats.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "tools/common/calibration_probe.hpp"
#include "tools/common/cpu.hpp"

namespace lb {
namespace {

template <typename T>
std::optional<T> difference(const std::optional<T>& before, const std::optional<T>& after) {
  if (!before || !after) return std::nullopt;
  return *after - *before;
}

// The attempt, with what the machine did to it: probes on the measuring
// thread right before and after, the scheduler's counters between them.
Attempt observed(const std::function<Attempt(const std::string&, bool)>& attempt,
                 const std::string& label, bool counted) {
  const double probe_before = calibration_probe_us();
  const SchedulerCounters before = scheduler_counters();
  Attempt a = attempt(label, counted);
  const SchedulerCounters after = scheduler_counters();
  a.repeat.machine =
      MachineEffects{probe_before, calibration_probe_us(),
                     difference(before.run_queue_wait_s, after.run_queue_wait_s),
                     difference(before.steal_s, after.steal_s),
                     difference(before.involuntary_switches, after.involuntary_switches)};
  return a;
}

}  // namespace

Attempt Attempt::of_transfer(std::string message) {
  Attempt a;
  if (!message.empty()) {
    a.failed = 1;
    a.errors.push_back(message);
    a.error = std::move(message);
  }
  return a;
}

bool run_repeats(RunResult& row, int warmup, int repeat, const std::string& label,
                 const std::function<Attempt(const std::string& label, bool counted)>& attempt) {
  for (int i = 0; i < warmup + repeat; ++i) {
    const bool warm = i < warmup;
    const std::string text = fmt::format("{} {} {}/{}", label, warm ? "warm-up" : "repeat",
                                         warm ? i + 1 : i - warmup + 1, warm ? warmup : repeat);
    Attempt a = observed(attempt, text, !warm);
    row.connections += a.connections;
    if (a.failed) {
      row.errors += a.failed;
      for (auto& e : a.errors)
        row.error_messages.push_back(std::move(e));
      std::fprintf(stderr, "bench: %s: %s\n", text.c_str(), a.error.c_str());
      return false;
    }
    if (warm) continue;
    row.loop_lag_ns.merge(a.loop_lag_ns);
    if (a.latency_ns) {
      if (!row.latency_ns) row.latency_ns.emplace();
      row.latency_ns->merge(*a.latency_ns);
    }
    row.repeats.push_back(a.repeat);
  }
  return true;
}

}  // namespace lb
