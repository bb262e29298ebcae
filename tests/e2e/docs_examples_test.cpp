// Every `bench` example in README.md and docs/*.md is a command line the
// binary takes as written: each is parsed with LOOPBENCH_PARSE_ONLY=1 (its
// options, values and checks, without measuring); `bench loops` runs. An
// example with a placeholder (<...>, [...]) is skipped, and counted.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "command.hpp"

namespace lb::test {
namespace {

struct Example {
  std::string file;
  std::string args;  // after "bench "
};

// Code-block lines "    bench ..." (four spaces), joined over trailing
// backslashes, with their "# comment" cut.
std::vector<Example> examples() {
  std::vector<std::string> files = {std::string(LOOPBENCH_SOURCE_DIR) + "/README.md"};
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(LOOPBENCH_SOURCE_DIR) + "/docs"))
    if (e.path().extension() == ".md") files.push_back(e.path().string());
  std::vector<Example> out;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("    bench ", 0) != 0) continue;
      std::string command = line.substr(4);
      while (!command.empty() && command.back() == '\\' && std::getline(in, line))
        command = command.substr(0, command.size() - 1) + " " + line;
      if (const auto hash = command.find(" #"); hash != std::string::npos) command.resize(hash);
      while (!command.empty() && command.back() == ' ')
        command.pop_back();
      out.push_back({std::filesystem::path(file).filename().string(), command.substr(6)});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("docs: every bench example in README.md and docs/ is a command line bench takes") {
  const auto all = examples();
  CHECK(all.size() > 50);
  int parsed = 0, skipped = 0;
  for (const auto& e : all) {
    if (e.args.find_first_of("<>[]") != std::string::npos) {
      ++skipped;
      continue;
    }
    const auto r = run_bench(e.args, 30, "LOOPBENCH_PARSE_ONLY=1");
    INFO(e.file << ": bench " << e.args << "\n" << r.err);
    CHECK(r.exit_code == 0);
    ++parsed;
  }
  MESSAGE(parsed << " examples parsed, " << skipped << " with a placeholder skipped");
  CHECK(skipped < 5);
  const auto loops = run_bench("loops");
  CHECK(loops.exit_code == 0);
  CHECK(loops.out.find(LOOPBENCH_FIRST_BACKEND) != std::string::npos);
}

}  // namespace lb::test
