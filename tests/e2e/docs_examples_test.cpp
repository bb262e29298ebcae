// Every `bench` example in README.md and docs/*.md is a command line the
// binary takes as written: each is parsed with LOOPBENCH_PARSE_ONLY=1 (its
// options, values and checks, without measuring). The short ones also run
// as written, in a scratch folder, and must succeed; an example left out of
// the run matches a rule of kNotRun, which says why. An example with a
// placeholder (<...>, [...]) is skipped, and counted.
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

// Examples that do not run here, and why; every other one runs.
struct NotRun {
  const char* contains;
  const char* why;
};
constexpr NotRun kNotRun[] = {
    {"serve ", "a server runs until stopped (the e2e tests start and stop them)"},
    {"matrix", "minutes per run (bench_matrix_test runs the quick profile)"},
    {"--url", "needs another server running"},
    {"--connect", "needs another server running"},
    {"--net", "needs the network lab (bench_net_test)"},
    {"stream ", "needs a generated file (bench_stream_test)"},
    {"compare ", "needs two results files (bench_compare_test)"},
    {"echo ", "sweeps connections and sizes for seconds each: minutes (bench_echo_test)"},
    {"--peers", "a peer process per row and round: minutes (bench_peers_test)"},
    {"GiB", "gigabytes per direction, loop and round: minutes"},
    {"--fresh-connections", "a TLS handshake for every request: over a minute"},
    {"--requests=100000", "100000 requests per loop and round: minutes"},
};

const NotRun* not_run(const std::string& args) {
  for (const auto& rule : kNotRun)
    if (args.find(rule.contains) != std::string::npos) return &rule;
  return nullptr;
}

}  // namespace

TEST_CASE("docs: the short bench examples run as written and succeed") {
  const std::string scratch = temp_path("docs-examples");
  std::filesystem::create_directories(scratch);
  int ran = 0, left_out = 0;
  for (const auto& e : examples()) {
    if (e.args.find_first_of("<>[]") != std::string::npos) continue;
    if (not_run(e.args)) {
      ++left_out;
      continue;
    }
    // In the scratch folder, so that --csv=results.csv or cert --out=certs
    // write there.
    const auto r = run_bench(e.args, 240, "", scratch);
    INFO(e.file << ": bench " << e.args << "\n" << r.out.substr(0, 3000) << r.err);
    CHECK(r.exit_code == 0);
    ++ran;
  }
  std::filesystem::remove_all(scratch);
  MESSAGE(ran << " examples ran, " << left_out << " left out by kNotRun");
  CHECK(ran >= 12);
}

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
