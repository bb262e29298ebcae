#pragma once
// The matrix's answer to "how does loop X compare with the reference loop
// here?": each of our rows against the reference loop's row of the same
// scenario, mode, size, TLS, variant and codec, paired by round, for
// throughput, the client's CPU per operation and (where the rows measure
// latency) p99. Each comparison is an effect size with its 95 % interval
// and a verdict (engine/comparison.hpp; docs/statistics.md).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/comparison.hpp"

namespace lb {

struct LoopComparison {
  std::string scenario;   // tcp, http, ws, wss, stream, echo-tcp, echo-ws
  std::string group;      // what tells rows of a scenario apart: "download 1 GiB"
  std::string loop;       // the row's label ("uring native")
  std::string reference;  // the reference row's label ("epoll native")
  std::string metric;     // throughput | cpu_per_op | p99
  int paired_rounds = 0;  // rounds both rows measured
  std::optional<RatioInterval> interval;
  Judgement judgement = Judgement::undecided;
  std::string why;  // for an undecided one: what the data could not settle
};

// `runs`: the matrix's merged runs (their repeats carry `round`).
// `margin`: the equivalence margin of `same` (0.03 = +-3 %); `level`: of
// the intervals (higher at each look of rounds until decided).
std::vector<LoopComparison> compare_loops(const nlohmann::json& runs, const std::string& reference,
                                          double margin, double level = 0.95);

// "faster", "slower", "less CPU", "more CPU", "lower p99", "higher p99",
// "same" or "undecided".
std::string judgement_word(const LoopComparison& c);
// "1.29x [1.19–1.41] faster", or "undecided (5 paired rounds)".
std::string comparison_text(const LoopComparison& c);

nlohmann::json comparisons_json(const std::vector<LoopComparison>& comparisons);
// Back from results.json (the reports read what the file says).
std::vector<LoopComparison> comparisons_from_json(const nlohmann::json& doc);

}  // namespace lb
