#pragma once
// Runs the real `bench` binary as a user would, through /bin/sh, with a time
// limit (coreutils timeout) so that a hang fails the test instead of CI.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lb::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The backends this build has, as bench names them.
inline std::vector<std::string> compiled_loops() {
  std::vector<std::string> out;
  std::stringstream ss(LOOPBENCH_BACKENDS);
  std::string item;
  while (std::getline(ss, item, ','))
    out.push_back(item);
  return out;
}

inline std::string temp_path(const std::string& name) {
  return "/tmp/loopbench-e2e-" + std::to_string(::getpid()) + "-" + name;
}

// `env` is prepended to the command line: "NAME=value ..." for the child only.
// `dir`: the working directory (empty: the test's own).
inline CommandResult run_bench(const std::string& args, int limit_s = 120,
                               const std::string& env = "", const std::string& dir = "") {
  const std::string out = temp_path("out"), err = temp_path("err");
  const std::string cmd = (dir.empty() ? "" : "cd '" + dir + "' && ") + env +
                          (env.empty() ? "" : " ") + "timeout -s KILL " + std::to_string(limit_s) +
                          " " + LOOPBENCH_BENCH + " " + args + " >" + out + " 2>" + err +
                          " </dev/null";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

}  // namespace lb::test
