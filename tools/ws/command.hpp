#pragma once
// `bench ws` (WebSocket throughput per loop, ws:// or wss://) and `bench
// serve ws` (its server alone).
#include "tools/options/subcommand.hpp"

namespace lb {

void register_ws_command(CLI::App& app, CommandRunner& run);
// Adds `ws` under `bench serve`.
void register_serve_ws(CLI::App* serve, CommandRunner& run);

}  // namespace lb
