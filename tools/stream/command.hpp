#pragma once
// `bench stream generate | serve | client`: verified streaming of a data
// file over WebSocket, SHA-256 checked end to end.
#include "tools/options/subcommand.hpp"

namespace lb {

void register_stream_command(CLI::App& app, CommandRunner& run);

}  // namespace lb
