#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "tools/report/results.hpp"

namespace lb {

// The human table of `bench http`: one row per (mode, loop, size).
void print_http_table(std::FILE* out, const std::vector<RunResult>& runs,
                      const std::string& header);
// The original suite's CSV (name,size,duration) plus our columns; one line
// per counted repeat. Throws std::runtime_error if the file cannot be written.
void write_http_csv(const std::string& path, const std::vector<RunResult>& runs);

}  // namespace lb
