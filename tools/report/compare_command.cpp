// `bench compare OLD.json NEW.json`: per-row verdicts between two results
// files (the rule is in tools/report/baseline.hpp); exit 3 when any row
// regressed, 2 when they share no row.
#include <fmt/core.h>

#include <fstream>

#include "tools/options/options.hpp"
#include "tools/options/size.hpp"
#include "tools/report/baseline.hpp"
#include "tools/report/command.hpp"
#include "tools/report/results.hpp"

namespace lb {
namespace {

std::string figure(const RowComparison& r, const Spread& s) {
  if (r.metric == "req_per_s") return spread_text(s) + " req/s";
  const double mib = 1 << 20;
  return spread_text(s, 1 / mib) + " MiB/s";
}

std::string interval_text(const std::optional<RatioInterval>& i) {
  return i ? fmt::format("{:.2f}x [{:.2f}–{:.2f}]", i->ratio, i->low, i->high) : "-";
}

std::string cpu_change_text(const RowComparison& r) {
  if (!r.cpu_interval) return "-";
  const char* word = r.cpu_judgement == Judgement::better  ? "less CPU"
                     : r.cpu_judgement == Judgement::worse ? "more CPU"
                     : r.cpu_judgement == Judgement::same  ? "same"
                                                           : "undecided";
  return interval_text(r.cpu_interval) + " " + word;
}

int run_compare(const std::string& old_path, const std::string& new_path, double threshold) {
  if (threshold < 0 || threshold >= 100)
    throw UsageError("--threshold: expected a percentage from 0 to below 100");
  std::vector<RowComparison> rows;
  try {
    rows = compare_results(read_json_file(old_path, "results file"),
                           read_json_file(new_path, "results file"), threshold);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(std::string("malformed results file: ") + e.what());
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  if (shared_rows(rows) == 0)
    throw UsageError(fmt::format(
        "{} and {} share no row (bench, mode, loop, size, tls): nothing to compare ({} rows "
        "on one side only)",
        old_path, new_path, rows.size()));
  fmt::print(
      "bench compare: {} -> {}; new/old throughput as the Hodges-Lehmann ratio [95 % interval, "
      "exact Mann-Whitney] of the repeats; REGRESSION: the interval below 1 and the ratio more "
      "than {}% down; same: the interval within 1 ± {}%\n\n",
      old_path, new_path, threshold, threshold);
  constexpr const char* kRow = "{:<7} {:<22} {:<14} {:>9} {:<4}  {:<32} {:<32} {:<22} {:<28}  {}\n";
  fmt::print(kRow, "bench", "mode", "loop", "size", "tls", "old", "new", "new/old",
             "CPU per op new/old", "verdict");
  for (const auto& r : rows) {
    fmt::print(kRow, r.bench, r.variant.empty() ? r.mode : r.mode + " " + r.variant, r.loop,
               format_bytes(r.size_bytes), r.tls ? "yes" : "no",
               r.verdict == Verdict::only_new ? "-" : figure(r, r.old_value),
               r.verdict == Verdict::only_old ? "-" : figure(r, r.new_value),
               interval_text(r.interval), cpu_change_text(r), verdict_name(r.verdict));
  }
  std::string undecided;
  for (const auto& r : rows)
    if (r.verdict == Verdict::undecided)
      undecided += fmt::format("  {} {} {} {}: {}\n", r.bench, r.mode, r.loop,
                               format_bytes(r.size_bytes), r.why);
  if (!undecided.empty()) fmt::print("\nundecided:\n{}", undecided);
  const bool regressed = any_regression(rows);
  fmt::print("\n{}\n", regressed ? "regressions found: exit 3" : "no regression");
  return regressed ? kExitRegression : 0;
}

}  // namespace

void register_compare_command(CLI::App& app, CommandRunner& run) {
  struct Options {
    std::string old_path, new_path;
    double threshold = 5;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("compare",
                                 "Verdicts between two results files; exit 3 if any row regressed "
                                 "(see tools/report/baseline.hpp)");
  cmd->add_option("OLD", o->old_path, "Baseline results.json")->required();
  cmd->add_option("NEW", o->new_path, "New results.json")->required();
  cmd->add_option("--threshold", o->threshold,
                  "Percent the ratio must move to be a regression; also the margin of 'same'")
      ->check(finite_number())
      ->capture_default_str();
  cmd->footer(
      "Exit codes: 0 no regression, 3 at least one regression, 2 bad input or no shared row.\n"
      "A row regressed when the 95 % interval of its new/old throughput (Hodges-Lehmann,\n"
      "exact Mann-Whitney, over the repeats) lies below 1 and the ratio is more than the\n"
      "threshold down. Rows with too few repeats (4 and 4 at least) are undecided.");
  cmd->callback(
      [o, &run] { run = [o] { return run_compare(o->old_path, o->new_path, o->threshold); }; });
}

}  // namespace lb
