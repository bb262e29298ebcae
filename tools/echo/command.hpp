#pragma once
// `bench echo` and `bench serve echo`: request/response echo over tcp,
// ws or wss with many connections and small messages, closed or open loop.
#include "tools/options/subcommand.hpp"

namespace lb {

void register_echo_command(CLI::App& app, CommandRunner& run);
void register_serve_echo(CLI::App* serve, CommandRunner& run);

}  // namespace lb
