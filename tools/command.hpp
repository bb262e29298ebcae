#pragma once
// How subcommands plug into `bench`: each registers its options on a CLI11
// subcommand and sets the function main() runs after parsing.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace lb {

using CommandRunner = std::function<int()>;

// A user error found after parsing (a malformed size, an unknown loop): the
// message is printed as one line, and the exit code is 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void register_tcp_command(CLI::App& app, CommandRunner& run);
void register_serve_command(CLI::App& app, CommandRunner& run);
void register_loops_command(CLI::App& app, CommandRunner& run);
void register_http_command(CLI::App& app, CommandRunner& run);
void register_ws_command(CLI::App& app, CommandRunner& run);
void register_cert_command(CLI::App& app, CommandRunner& run);
void register_stream_command(CLI::App& app, CommandRunner& run);
void register_compare_command(CLI::App& app, CommandRunner& run);
void register_matrix_command(CLI::App& app, CommandRunner& run);
// Adds `ws` under `bench serve`.
void register_serve_ws(CLI::App* serve, CommandRunner& run);

// `bench serve tcp`; returns the exit code.
int serve_tcp(const std::string& loop, const std::string& bind, int port, int cpu);

// Shared option parsing.
std::uint64_t size_option(const std::string& option, const std::string& text);
// Pins the calling thread (and threads it starts) to `cpu` unless it is
// negative; UsageError saying which CPUs exist when it cannot.
void pin_or_throw(int cpu, const char* who);
// "a,b,c" -> {"a", "b", "c"} (empty items kept, so they can be refused).
std::vector<std::string> split_list(const std::string& text);

}  // namespace lb
