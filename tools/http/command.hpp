#pragma once
// `bench http` (the original suite's HTTP clients: sync, threads, and async
// on every loop, fetching /1k, /20k, /200k from a keep-alive server) and
// `bench serve http` (that server alone).
#include "tools/options/subcommand.hpp"

namespace lb {

void register_http_command(CLI::App& app, CommandRunner& run);
// Adds `http` under `bench serve`.
void register_serve_http(CLI::App* serve, CommandRunner& run);

}  // namespace lb
