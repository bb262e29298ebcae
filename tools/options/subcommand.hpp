#pragma once
// How a command folder plugs into `bench`: it registers its options on a
// CLI11 subcommand and sets the function main() runs after parsing.
#include <functional>

#include <CLI/CLI.hpp>

#include "tools/options/usage_error.hpp"

namespace lb {

using CommandRunner = std::function<int()>;

}  // namespace lb
