#pragma once
// How every measuring command fills one row: warm-ups, then counted
// repeats, each one attempt of the workload; the first failure ends the row.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/histogram.hpp"
#include "tools/report/results.hpp"

namespace lb {

// What one attempt gave.
struct Attempt {
  std::uint64_t connections = 1;
  std::uint64_t failed = 0;         // failed operations: a transfer, requests
  std::string error;                // what went wrong, for the user (with failed > 0)
  std::vector<std::string> errors;  // every message, for the results file
  RepeatResult repeat;
  Histogram loop_lag_ns;
  std::optional<Histogram> latency_ns;  // where requests apply

  // A transfer's attempt: failed when `message` is not empty.
  static Attempt of_transfer(std::string message);
};

// Runs `warmup` uncounted and `repeat` counted attempts of one row.
// attempt(label, counted) gets the progress label ("LABEL warm-up 1/1",
// "LABEL repeat 2/5") and whether the attempt counts. Every attempt adds its connections; a counted
// one its repeat, loop lag and latency. A failed attempt adds its errors to the row, is printed as
// "bench: LABEL: ERROR" on stderr and ends the row (the next attempt would most likely fail the
// same way). Returns false after a failure.
bool run_repeats(RunResult& row, int warmup, int repeat, const std::string& label,
                 const std::function<Attempt(const std::string& label, bool counted)>& attempt);

}  // namespace lb
