#pragma once
// `bench tcp` (raw stream throughput on each loop, like iperf3) and `bench
// serve tcp` (its server alone).
#include "tools/options/subcommand.hpp"

namespace lb {

void register_tcp_command(CLI::App& app, CommandRunner& run);
// Adds `tcp` under `bench serve`.
void register_serve_tcp(CLI::App* serve, CommandRunner& run);

}  // namespace lb
