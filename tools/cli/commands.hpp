#pragma once
// The commands that belong to no workload: `bench loops`, `bench cert`, and
// `bench serve`, which holds each workload's server.
#include "tools/options/subcommand.hpp"

namespace lb {

void register_loops_command(CLI::App& app, CommandRunner& run);
void register_cert_command(CLI::App& app, CommandRunner& run);
void register_serve_command(CLI::App& app, CommandRunner& run);

}  // namespace lb
