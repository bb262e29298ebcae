#pragma once
// What a measuring command (bench tcp|http|ws|stream|echo) says of its
// loops against each other when it ran several: its rows were measured in
// paired rounds (repeats.hpp, RowRounds), so each loop's row is compared
// with the reference loop's row of the same workload round by round, as
// the matrix compares them (comparisons.hpp; docs/statistics.md).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/report/comparisons.hpp"
#include "tools/report/results.hpp"

namespace lb {

struct LoopVerdicts {
  std::string reference;
  double margin = 0.03;
  std::uint64_t seed = 0;
  std::vector<LoopComparison> comparisons;

  // The lines under the table; empty when nothing was compared.
  std::string text() const;
  // {"comparisons": [...], "verdicts": {"reference", "margin", "seed",
  // "order"}} for the results file; empty when nothing was compared.
  nlohmann::json json() const;
};

// The loop the others are compared with: `asked` when it is one of `loops`
// (a UsageError naming them otherwise), or when empty epoll, or the first
// loop when epoll does not run. Called before measuring, so a wrong name
// fails at once.
std::string reference_loop(const std::vector<std::string>& loops, const std::string& asked);

// Compares every loop's rows with `reference`'s; nothing with one loop.
LoopVerdicts judge_loops(const std::vector<RunResult>& runs, const std::vector<std::string>& loops,
                         const std::string& reference, double margin, std::uint64_t seed);

}  // namespace lb
