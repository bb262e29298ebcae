#pragma once
// Runs another program to completion with its output in files: the steps of
// `bench matrix` and the peer clients of `bench --peers`.
#include <string>
#include <vector>

namespace lb {

// Runs argv (argv[0] searched in PATH) with stdin from /dev/null, stdout
// into out_path and stderr into err_path (one file when the paths are
// equal). Returns its exit status, or 128 + the signal that ended it.
// Throws std::runtime_error when it cannot start.
int run_child(const std::vector<std::string>& argv, const std::string& out_path,
              const std::string& err_path);

}  // namespace lb
