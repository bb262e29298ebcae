// `bench serve tcp|http|ws|echo`: a workload's server alone, until Ctrl-C. Each
// workload adds its own server here.
#include "tools/cli/commands.hpp"
#include "tools/echo/command.hpp"
#include "tools/http/command.hpp"
#include "tools/tcp/command.hpp"
#include "tools/ws/command.hpp"

namespace lb {

void register_serve_command(CLI::App& app, CommandRunner& run) {
  auto* serve = app.add_subcommand("serve", "Run a benchmark server alone");
  serve->require_subcommand(1);
  register_serve_tcp(serve, run);
  register_serve_http(serve, run);
  register_serve_ws(serve, run);
  register_serve_echo(serve, run);
}

}  // namespace lb
