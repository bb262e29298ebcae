#pragma once
// What a measuring command (bench tcp|http|ws|stream|echo) says of its rows
// against each other: they were measured in paired rounds (repeats.hpp,
// RowRounds), so each loop's row is compared with the reference loop's,
// each codec's with the reference codec's and each peer's with our client's
// of the same workload, round by round, as the matrix compares them
// (comparisons.hpp; docs/statistics.md).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/report/comparisons.hpp"
#include "tools/report/results.hpp"

namespace lb {

struct RowVerdicts {
  std::string reference;  // the reference loop
  double margin = 0.03;
  std::uint64_t seed = 0;
  std::vector<Comparison> comparisons;

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

// Every comparison the rows allow (none with one loop, one codec and no
// peer).
RowVerdicts judge_rows(const std::vector<RunResult>& runs, const std::string& reference,
                       double margin, std::uint64_t seed);

}  // namespace lb
