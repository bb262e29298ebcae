#pragma once
// The matrix's results: every step writes a results file of one repeat; runs
// with the same (bench, mode, loop, size, tls) across rounds become one run
// whose repeats are the rounds. Summaries are recomputed from the merged
// repeats; where a step only left a summary (loop lag, latency
// percentiles, stream hash speeds) the merged figure says how it was
// combined: loop lag is the worst round's, latency percentiles are the
// median of the rounds' (service latency too), stream speeds a {min,
// median, max} of the rounds'; an open-loop schedule sums its slots and late
// sends, and its asked rate is the rounds' median (each round asks its own).
// Each merged repeat keeps its `round` and, where its step measured
// latency, that round's p99 (`latency_p99_us`): what paired comparisons
// of loops read.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace lb {

class MatrixResults {
 public:
  // One step's results file, of round `round` (1-based).
  void add(const nlohmann::json& step_doc, int round);
  // Merged: rows in the order their group (all but the loop) was first
  // seen, and within a group by codec, then by the loop's place in
  // `loop_order` (the steps ran shuffled; the tables should not be).
  nlohmann::json runs(const std::vector<std::string>& loop_order = {}) const;

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::uint64_t, bool, std::string>;
  std::vector<Key> order_;
  std::map<Key, std::vector<nlohmann::json>> rounds_;
};

}  // namespace lb
