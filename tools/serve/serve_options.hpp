#pragma once
// What every `bench serve ...` server takes (loop, address, port, CPU, loop
// threads), and running one in the foreground until Ctrl-C.
#include <string>

#include <CLI/CLI.hpp>

#include "tools/process/server_process.hpp"
#include "tools/serve/serving_loops.hpp"

namespace lb {

struct ServeOptions {
  std::string loop;  // default_server_backend() unless set
  std::string bind = "127.0.0.1";
  int port = 0;
  int cpu = -1;
  int threads = 1;
};

// --loop, --port, --bind, --cpu, --threads on `cmd`.
void add_serve_options(CLI::App* cmd, ServeOptions& o, int default_port);

// Checks the options, pins to --cpu, makes the loops, lets start() listen
// at --bind:--port on each, prints "bench NAME: listening on HOST:PORT (DETAILS);
// Ctrl-C stops", runs until SIGINT or SIGTERM, then prints "bench NAME: "
// and the server's summary. Returns the exit code (0).
int serve_foreground(const ServeOptions& o, const std::string& name, const std::string& details,
                     const StartServer& start);

}  // namespace lb
