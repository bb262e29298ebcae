#pragma once
// Comparing two results files (schema loopbench.results/1) row by row: the
// verdicts of `bench compare` and `bench matrix --baseline`.
//
// A row is one (bench, mode, loop, size, tls). Its figure is throughput:
// requests per second for http, payload bytes per second otherwise, as the
// {min, median, max} over the run's repeats. The rule:
//   regression   the new median is more than THRESHOLD% below the old one
//                AND the new run's best repeat is below the old run's worst;
//   improvement  the mirror image;
//   unchanged    anything else.
// The threshold keeps tiny but consistent shifts quiet; the range test keeps
// one noisy repeat from making a verdict: on a shared machine the spread of
// repeats is the noise we can see, and a change that stays inside it is not
// shown by this data. Rows present on one side only are reported as such.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/stats.hpp"

namespace lb {

// The exit code of bench compare and bench matrix --baseline when a row regressed.
inline constexpr int kExitRegression = 3;

enum class Verdict { regression, improvement, unchanged, only_old, only_new };

struct RowComparison {
  std::string bench, mode, loop;
  std::uint64_t size_bytes = 0;
  bool tls = false;
  std::string variant;  // row_variant
  std::string metric;   // "req_per_s" or "bytes_per_s"
  Spread old_value, new_value;
  double change_pct = 0;  // (new - old) / old of the medians
  Verdict verdict = Verdict::unchanged;
};

// Throws std::runtime_error when a document is not a results file.
std::vector<RowComparison> compare_results(const nlohmann::json& old_doc,
                                           const nlohmann::json& new_doc, double threshold_pct);
const char* verdict_name(Verdict v);
bool any_regression(const std::vector<RowComparison>& rows);

}  // namespace lb
