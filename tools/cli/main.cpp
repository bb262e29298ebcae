// bench: HTTP, WebSocket and TCP client benchmarks on swappable event loops.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "backends/registry.hpp"
#include "engine/loop.hpp"
#include "tools/cli/commands.hpp"
#include "tools/echo/command.hpp"
#include "tools/http/command.hpp"
#include "tools/process/cpu.hpp"
#include "tools/process/this_process.hpp"
#include "tools/report/command.hpp"
#include "tools/report/command_line.hpp"
#include "tools/report/matrix/command.hpp"
#include "tools/report/version.hpp"
#include "tools/stream/command.hpp"
#include "tools/tcp/command.hpp"
#include "tools/ws/command.hpp"

namespace {

// LOOPBENCH_TEARDOWN_CHECK=1 (the fault-injection tests): once the command
// is done, no loop went with live handles and every descriptor opened
// since the start is closed again; exit 3 when not. The start is counted
// after one loop of each backend came and went: libuv's first loop opens
// a pipe that stays for the process (its signal lock), which is not a leak.
std::optional<std::size_t> fds_after_first_loops() {
  for (const auto& name : lb::backend_statuses())
    if (name.usable) lb::make_loop(name.name);
  return lb::open_fds_of(lb::this_pid());
}

int check_teardown(int rc, std::optional<std::size_t> fds_at_start) {
  const std::size_t handles = lb::Loop::handles_left_at_teardown();
  const auto fds = lb::open_fds_of(lb::this_pid());
  if (handles) std::fprintf(stderr, "bench: teardown: %zu handles still live\n", handles);
  if (fds && fds_at_start && *fds != *fds_at_start)
    std::fprintf(stderr, "bench: teardown: %zu descriptors open, %zu at the start\n", *fds,
                 *fds_at_start);
  return handles || fds != fds_at_start ? 3 : rc;
}

// CLI11 answers `bench nosuch` with "A subcommand is required": name the
// word it did not know, and the commands there are.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), argv[1]) != names.end()) return std::nullopt;
  return fmt::format("unknown command '{}' ({})", argv[1], fmt::join(names, ", "));
}

// CLI11 2.1 reads "--json=" as an option still waiting for its value and
// would take the next argument ("--loop=epoll") as it: an empty value is
// rejected before CLI11 sees it.
std::optional<std::string> empty_option_value(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 3 && arg.rfind("--", 0) == 0 && arg.back() == '=')
      return fmt::format("{} has an empty value: give one after '=', or leave the option out",
                         arg.substr(0, arg.size() - 1));
  }
  return std::nullopt;
}

int run_command(const lb::CommandRunner& run) {
  try {
    return run();
  } catch (const lb::UsageError& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 2;
  } catch (const lb::BackendError& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  lb::keep_freed_memory();
  const bool teardown_check = std::getenv("LOOPBENCH_TEARDOWN_CHECK") != nullptr;
  const auto fds_at_start = teardown_check ? fds_after_first_loops() : std::optional<std::size_t>{};
  CLI::App app{
      "loopbench: client benchmarks whose event loop is swappable (epoll, libuv, io_uring).\n"
      "Run 'bench SUBCOMMAND --help' for the options of each.",
      "bench"};
  app.set_version_flag("-V,--version",
                       std::string(lb::kLoopbenchVersion) + " (" + lb::kLoopbenchGit + ")");
  app.require_subcommand(1);
  // Options are --long or -s on every system: CLI11 would take "/path"
  // (a file, under Wine or MSYS2) for a Windows-style "/option".
  app.allow_windows_style_options(false);
  lb::CommandRunner run;
  lb::register_tcp_command(app, run);
  lb::register_http_command(app, run);
  lb::register_ws_command(app, run);
  lb::register_stream_command(app, run);
  lb::register_echo_command(app, run);
  lb::register_matrix_command(app, run);
  lb::register_compare_command(app, run);
  lb::register_cert_command(app, run);
  lb::register_serve_command(app, run);
  lb::register_loops_command(app, run);
  lb::record_command_line(argc, argv);
  if (const auto empty = empty_option_value(argc, argv)) {
    std::fprintf(stderr, "bench: %s\n", empty->c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const auto unknown = unknown_command(app, argc, argv))
      std::fprintf(stderr, "bench: %s\n", unknown->c_str());
    else
      app.exit(e);
    return 2;
  }
  // LOOPBENCH_PARSE_ONLY=1 (the docs' examples test): the command line
  // parsed and passed its checks; nothing runs.
  if (std::getenv("LOOPBENCH_PARSE_ONLY")) return 0;
  const int rc = run_command(run);
  return teardown_check ? check_teardown(rc, fds_at_start) : rc;
}
