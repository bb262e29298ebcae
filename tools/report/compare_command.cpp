// `bench compare OLD.json NEW.json`: per-row verdicts between two results
// files (the rule is in tools/report/baseline.hpp); exit 3 when any row regressed.
#include <fmt/core.h>

#include <fstream>

#include "tools/common/options.hpp"
#include "tools/common/size.hpp"
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

int run_compare(const std::string& old_path, const std::string& new_path, double threshold) {
  if (threshold < 0) throw UsageError("--threshold must be >= 0");
  std::vector<RowComparison> rows;
  try {
    rows = compare_results(read_json_file(old_path, "results file"),
                           read_json_file(new_path, "results file"), threshold);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(std::string("malformed results file: ") + e.what());
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  fmt::print(
      "bench compare: {} -> {}; regression/improvement = median moved more than {}% and the "
      "min-max ranges do not overlap\n\n",
      old_path, new_path, threshold);
  constexpr const char* kRow = "{:<7} {:<22} {:<6} {:>9} {:<4}  {:<32} {:<32} {:>8}  {}\n";
  fmt::print(kRow, "bench", "mode", "loop", "size", "tls", "old", "new", "change", "verdict");
  for (const auto& r : rows) {
    const bool both = r.verdict != Verdict::only_old && r.verdict != Verdict::only_new;
    fmt::print(kRow, r.bench, r.variant.empty() ? r.mode : r.mode + " " + r.variant, r.loop,
               format_bytes(r.size_bytes), r.tls ? "yes" : "no",
               r.verdict == Verdict::only_new ? "-" : figure(r, r.old_value),
               r.verdict == Verdict::only_old ? "-" : figure(r, r.new_value),
               both ? fmt::format("{:+.1f}%", r.change_pct) : "-", verdict_name(r.verdict));
  }
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
  cmd->add_option("--threshold", o->threshold, "Percent a median must move to count")
      ->check(finite_number())
      ->capture_default_str();
  cmd->footer(
      "Exit codes: 0 no regression, 3 at least one regression, 2 bad input.\n"
      "A row regressed when its median throughput fell by more than the threshold AND the new\n"
      "run's best repeat is below the old run's worst (the spread of repeats is the noise).");
  cmd->callback(
      [o, &run] { run = [o] { return run_compare(o->old_path, o->new_path, o->threshold); }; });
}

}  // namespace lb
