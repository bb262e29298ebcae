#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "tools/report/results.hpp"

namespace lb {

struct TcpTableContext {
  std::string target;  // "builtin" or HOST:PORT
  std::string server_loop;
  int server_cpu = -1;
  int client_cpu = -1;
  std::uint64_t chunk = 0;
  int warmup = 0;
};

// The human table of `bench tcp`: one row per (direction, loop).
void print_tcp_table(std::FILE* out, const std::vector<RunResult>& runs,
                     const TcpTableContext& context);

}  // namespace lb
