#pragma once
// How every measuring command fills one row: warm-ups, then counted
// repeats, each one attempt of the workload; the first failure ends the row.
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/statistics/histogram.hpp"
#include "tools/report/results.hpp"

namespace lb {

// What one attempt gave.
struct AttemptResult {
  std::uint64_t connections = 1;
  std::uint64_t failed = 0;         // failed operations: a transfer, requests
  std::string error;                // what went wrong, for the user (with failed > 0)
  std::vector<std::string> errors;  // every message, for the results file
  RepeatResult repeat;
  Histogram loop_lag_ns;
  std::optional<Histogram> latency_ns;  // where requests apply

  // A transfer's attempt: failed when `message` is not empty.
  static AttemptResult of_transfer(std::string message);
};

// Rows measured against each other (one per loop, codec or size of a
// command): run in rounds, each row's attempt once per round, in an order
// shuffled anew for each round (docs/statistics.md, "Paired rounds"). Every
// counted repeat records its round, so that tools/report/comparisons.hpp
// pairs the rows' repeats by it. Warm-up rounds run first, shuffled too.
// A failed attempt adds its errors to its row, is printed as "bench: LABEL
// round 2/5: ERROR" on stderr and ends that row; the others go on. After
// an interruption (tools/process/interruption.hpp) the attempt under way
// counts for nothing, no other starts, and every row not done is marked
// interrupted, keeping the rounds it finished.
class RowRounds {
 public:
  // attempt(label, counted) gets the progress label ("LABEL warm-up 1/1",
  // "LABEL round 2/5", "LABEL repeat 2/5" for a row alone) and whether the
  // attempt counts.
  using AttemptFn = std::function<AttemptResult(const std::string& label, bool counted)>;

  // `finish` runs on the row after the last round (what a row adds from
  // counters its attempts kept).
  void add(RunResult row, std::string label, AttemptFn attempt,
           std::function<void(RunResult&)> finish = {});
  // Runs the rounds; the rows come back in the order they were added.
  std::vector<RunResult> run(int warmup, int repeat, std::mt19937_64& shuffle);

 private:
  struct Row {
    RunResult row;
    std::string label;
    AttemptFn attempt;
    std::function<void(RunResult&)> finish;
  };
  std::vector<Row> rows_;
};

// 130 after an interruption, saying on stderr which rows it cut short
// and how many of their rounds they keep; `code` otherwise.
int interrupted_or(int code, const std::vector<RunResult>& runs, int rounds);

}  // namespace lb
