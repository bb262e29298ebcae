#pragma once
// The answer to "how does this row compare with the one it is measured
// against, here?", paired by round, for throughput, the client's CPU per
// operation, the built-in server's CPU per operation (where it is ours and
// measured) and p99 latency (where the rows have it). Three kinds of pair:
//   loop:   each of our rows against the reference loop's row of the same
//           workload and codec;
//   codec:  each of our rows against the reference codec's row (native
//           when it ran, else the first) of the same workload and loop;
//   client: each peer row against our row of the same workload on the
//           reference loop and codec.
// Each comparison is an effect size with its 95 % interval and a verdict
// (engine/statistics/comparison.hpp; docs/statistics.md).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/statistics/comparison.hpp"

namespace lb {

struct Comparison {
  std::string against;    // loop | codec | client
  std::string scenario;   // tcp, http, ws, wss, stream, echo-tcp, echo-ws
  std::string group;      // what tells rows of a scenario apart: "download 1 GiB"
  std::string row;        // the compared row's label ("uring native", "websockets asyncio")
  std::string reference;  // the reference row's label ("epoll native")
  std::string metric;     // throughput | cpu_per_op | server_cpu_per_op | p99
  int paired_rounds = 0;  // rounds both rows measured
  std::optional<RatioInterval> interval;
  Judgement judgement = Judgement::undecided;
  std::string why;  // for an undecided one: what the data could not settle
};

// A compared quantity: its name in results.json, its words for people.
struct ComparedMetric {
  std::string_view name;   // "cpu_per_op"
  std::string_view label;  // "CPU per op"
  bool lower_is_better;
  std::string_view better, worse;  // "less CPU", "more CPU"
};
const std::vector<ComparedMetric>& compared_metrics();
// The metric of that name; throughput's for a name it does not know.
const ComparedMetric& compared_metric(std::string_view name);

// What tells a row's comparisons from others of its scenario: "download
// 1 GiB", "closed 1 KiB tcp x100".
std::string comparison_group(const nlohmann::json& run);

// The codec the other codecs are compared with among `runs`' rows of ours:
// native when it ran, else the first codec; empty when none ran.
std::string reference_codec(const nlohmann::json& runs);

// `runs`: results' runs whose counted repeats carry `round`.
// `margin`: the equivalence margin of `same` (0.03 = +-3 %); `level`: of
// the intervals (higher at each look of rounds until decided).
std::vector<Comparison> compare_rows(const nlohmann::json& runs, const std::string& reference_loop,
                                     double margin, double level = 0.95);

// "faster", "slower", "less CPU", "more CPU", "less server CPU", "more
// server CPU", "lower p99", "higher p99", "same" or "undecided".
std::string judgement_word(const Comparison& c);
// "1.29x [1.19–1.41] faster", or "undecided (5 paired rounds)".
std::string comparison_text(const Comparison& c);

nlohmann::json comparisons_json(const std::vector<Comparison>& comparisons);
// Back from results.json (the reports read what the file says).
std::vector<Comparison> comparisons_from_json(const nlohmann::json& doc);

}  // namespace lb
