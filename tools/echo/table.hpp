#pragma once
// bench echo's human table (one row per transport, connections, size and
// loop) and its CSV file.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/report/results.hpp"

namespace lb {

struct EchoTableContext {
  std::string target;  // "builtin" or the --url
  std::string server_loop;
  int server_cpu = -1;
  int client_cpu = -1;
  int repeats = 0;
};

void print_echo_table(std::FILE* out, const std::vector<RunResult>& runs,
                      const EchoTableContext& context);
// Throws std::runtime_error when the file cannot be written.
void write_echo_csv(const std::string& path, const std::vector<RunResult>& runs);

}  // namespace lb
