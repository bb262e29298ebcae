#pragma once
// `bench matrix`: every scenario on every loop, rounds interleaved, merged
// into results.json, summary.md and report.html; compared with a baseline.
#include "tools/options/subcommand.hpp"

namespace lb {

void register_matrix_command(CLI::App& app, CommandRunner& run);

}  // namespace lb
