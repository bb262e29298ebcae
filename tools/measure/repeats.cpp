#include "tools/measure/repeats.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "tools/measure/calibration_probe.hpp"
#include "tools/options/options.hpp"
#include "tools/process/cpu.hpp"
#include "tools/process/interruption.hpp"

namespace lb {
namespace {

template <typename T>
std::optional<T> difference(const std::optional<T>& before, const std::optional<T>& after) {
  if (!before || !after) return std::nullopt;
  return *after - *before;
}

// The attempt, with what the machine did to it: probes on the measuring
// thread right before and after, the scheduler's counters between them.
AttemptResult observed(const std::function<AttemptResult(const std::string&, bool)>& attempt,
                       const std::string& label, bool counted) {
  const double probe_before = calibration_probe_us();
  const SchedulerCounters before = scheduler_counters();
  AttemptResult a = attempt(label, counted);
  const SchedulerCounters after = scheduler_counters();
  a.repeat.machine =
      MachineEffects{probe_before, calibration_probe_us(),
                     difference(before.run_queue_wait_s, after.run_queue_wait_s),
                     difference(before.steal_s, after.steal_s),
                     difference(before.involuntary_switches, after.involuntary_switches)};
  return a;
}

}  // namespace

AttemptResult AttemptResult::of_transfer(std::string message) {
  AttemptResult a;
  if (!message.empty()) {
    a.failed = 1;
    a.errors.push_back(message);
    a.error = std::move(message);
  }
  return a;
}

namespace {

// One attempt into its row; false when it failed (the row ends there).
// `round` is the counted attempt's round (1-based).
bool attempt_into(RunResult& row, const std::string& text, bool counted, int round,
                  const RowRounds::AttemptFn& attempt) {
  AttemptResult a = observed(attempt, text, counted);
  row.connections += a.connections;
  // Cut short by Ctrl-C: neither a figure nor an error.
  if (Interruption::requested()) {
    row.interrupted = true;
    return false;
  }
  if (a.failed) {
    row.errors += a.failed;
    for (auto& e : a.errors)
      row.error_messages.push_back(std::move(e));
    std::fprintf(stderr, "bench: %s: %s\n", text.c_str(), a.error.c_str());
    return false;
  }
  if (!counted) return true;
  row.loop_lag_ns.merge(a.loop_lag_ns);
  if (a.latency_ns) {
    if (!row.latency_ns) row.latency_ns.emplace();
    row.latency_ns->merge(*a.latency_ns);
    if (a.latency_ns->count() > 0)
      a.repeat.latency_p99_us = static_cast<double>(a.latency_ns->percentile(0.99)) / 1e3;
  }
  a.repeat.round = round;
  row.repeats.push_back(a.repeat);
  return true;
}

}  // namespace

void RowRounds::add(RunResult row, std::string label, AttemptFn attempt,
                    std::function<void(RunResult&)> finish) {
  rows_.push_back({std::move(row), std::move(label), std::move(attempt), std::move(finish)});
}

std::vector<RunResult> RowRounds::run(int warmup, int repeat, std::mt19937_64& shuffle) {
  std::vector<std::size_t> order(rows_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<bool> ended(rows_.size(), false);
  for (int i = 0; i < warmup + repeat; ++i) {
    const bool warm = i < warmup;
    if (rows_.size() > 1) std::shuffle(order.begin(), order.end(), shuffle);
    for (const std::size_t r : order) {
      if (ended[r]) continue;
      if (Interruption::requested()) {
        rows_[r].row.interrupted = true;
        continue;
      }
      auto& row = rows_[r];
      const std::string text = fmt::format("{} {} {}/{}", row.label,
                                           warm               ? "warm-up"
                                           : rows_.size() > 1 ? "round"
                                                              : "repeat",
                                           warm ? i + 1 : i - warmup + 1, warm ? warmup : repeat);
      ended[r] = !attempt_into(row.row, text, !warm, i - warmup + 1, row.attempt);
    }
  }
  std::vector<RunResult> out;
  for (auto& row : rows_) {
    if (row.finish) row.finish(row.row);
    out.push_back(std::move(row.row));
  }
  rows_.clear();
  return out;
}

int interrupted_or(int code, const std::vector<RunResult>& runs, int rounds) {
  if (!Interruption::requested()) return code;
  std::string cut;
  for (const auto& run : runs)
    if (run.interrupted)
      cut += fmt::format("{}{} {} {} ({} of {})", cut.empty() ? "" : ", ", run.bench, run.mode,
                         row_label(run_to_json(run)), run.repeats.size(),
                         counted(static_cast<std::uint64_t>(rounds), "round"));
  std::fprintf(stderr,
               "bench: interrupted: the table and results hold the rounds that finished%s%s; "
               "Ctrl-C twice quits at once\n",
               cut.empty() ? "" : "; cut short: ", cut.c_str());
  return 130;
}

}  // namespace lb
