#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "tools/report/results.hpp"

namespace lb {

// The human table of `bench stream client`: one row per (direction, loop).
void print_stream_table(std::FILE* out, const std::vector<RunResult>& runs,
                        const std::string& header);

}  // namespace lb
