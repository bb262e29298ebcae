#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "tools/report/results.hpp"

namespace lb {

// The human table of `bench ws`: one row per (direction, loop).
void print_ws_table(std::FILE* out, const std::vector<RunResult>& runs, const std::string& header);

}  // namespace lb
