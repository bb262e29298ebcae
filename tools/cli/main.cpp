// bench: HTTP, WebSocket and TCP client benchmarks on swappable event loops.
#include <cstdio>
#include <exception>

#include "backends/registry.hpp"
#include "tools/cli/commands.hpp"
#include "tools/common/version.hpp"
#include "tools/echo/command.hpp"
#include "tools/http/command.hpp"
#include "tools/report/command.hpp"
#include "tools/report/matrix/command.hpp"
#include "tools/stream/command.hpp"
#include "tools/tcp/command.hpp"
#include "tools/ws/command.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "loopbench: client benchmarks whose event loop is swappable (epoll, libuv, io_uring).\n"
      "Run 'bench SUBCOMMAND --help' for the options of each.",
      "bench"};
  app.set_version_flag("--version",
                       std::string(lb::kLoopbenchVersion) + " (" + lb::kLoopbenchGit + ")");
  app.require_subcommand(1);
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
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
