#pragma once
// `bench compare OLD.json NEW.json`: per-row verdicts between two results
// files (the rule is in tools/report/baseline.hpp).
#include "tools/options/subcommand.hpp"

namespace lb {

void register_compare_command(CLI::App& app, CommandRunner& run);

}  // namespace lb
