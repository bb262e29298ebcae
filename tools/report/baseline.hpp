#pragma once
// Comparing two results files (schema loopbench.results/1 or /2) row by row: the
// verdicts of `bench compare` and `bench matrix --baseline`.
//
// A row is one (bench, mode, loop, size, tls, variant). Its figure is
// throughput, per repeat: requests (or messages) per second for http and
// echo, payload bytes per second otherwise; the client's CPU per operation
// is compared beside it. The two runs were made at different times, so
// their repeats are not paired: new over old is the Hodges-Lehmann ratio
// with the exact Mann-Whitney 95 % interval (engine/statistics/comparison.hpp;
// docs/statistics.md). With THRESHOLD t:
//   regression   the interval lies below 1 and the ratio below 1 - t;
//   improvement  the mirror image;
//   slower/faster the interval excludes 1, the ratio within t;
//   same         the whole interval within 1 +- t;
//   undecided    anything else, and rows with too few repeats for an
//                interval (4 and 4, or 3 and 5): a single-repeat run
//                cannot show its noise.
// Rows present on one side only are reported as such.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/statistics/comparison.hpp"
#include "engine/statistics/stats.hpp"

namespace lb {

// The exit code of bench compare and bench matrix --baseline when a row regressed.
inline constexpr int kExitRegression = 3;

enum class Verdict { regression, improvement, slower, faster, same, undecided, only_old, only_new };

struct RowComparison {
  std::string bench, mode, loop;
  std::uint64_t size_bytes = 0;
  bool tls = false;
  std::string variant;  // row_variant
  std::string metric;   // "req_per_s" or "bytes_per_s"
  Spread old_value, new_value;
  int old_repeats = 0, new_repeats = 0;
  double change_pct = 0;                  // the ratio's estimate - 1 (medians' without one)
  std::optional<RatioInterval> interval;  // throughput, new over old
  Verdict verdict = Verdict::undecided;
  std::string why;  // undecided: what the data could not settle
  // The client's CPU per operation, new over old.
  std::optional<RatioInterval> cpu_interval;
  Judgement cpu_judgement = Judgement::undecided;
};

// Throws std::runtime_error when a document is not a results file.
std::vector<RowComparison> compare_results(const nlohmann::json& old_doc,
                                           const nlohmann::json& new_doc, double threshold_pct);
const char* verdict_name(Verdict v);
bool any_regression(const std::vector<RowComparison>& rows);
// Rows measured on both sides.
std::size_t shared_rows(const std::vector<RowComparison>& rows);

}  // namespace lb
