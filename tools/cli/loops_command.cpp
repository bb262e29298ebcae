// `bench loops`: which backends this build has and whether each works here.
#include <fmt/core.h>

#include "backends/registry.hpp"
#include "tools/cli/commands.hpp"

namespace lb {

void register_loops_command(CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand("loops",
                                 "List the compiled event-loop backends and whether "
                                 "each works on this machine");
  cmd->callback([&run] {
    run = [] {
      for (const auto& s : backend_statuses())
        fmt::print("{:<6} {}\n", s.name, s.usable ? "usable" : "unavailable: " + s.why_not);
      return 0;
    };
  });
}

}  // namespace lb
