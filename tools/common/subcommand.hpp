#pragma once
// How a command folder plugs into `bench`: it registers its options on a
// CLI11 subcommand and sets the function main() runs after parsing.
#include <functional>
#include <stdexcept>

#include <CLI/CLI.hpp>

namespace lb {

using CommandRunner = std::function<int()>;

// A user error found after parsing (a malformed size, an unknown loop): the
// message is printed as one line, and the exit code is 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lb
