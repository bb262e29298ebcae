// Keeps the layering of DESIGN.md and docs/ARCHITECTURE.md true: only
// backends/<name>/ includes its loop's header; engine/ and protocols/ never
// include a backend; nothing below tools/ includes tools/; and inside tools/
// includes point one way, cli -> workloads -> peers -> serve -> measure -> report -> net -> options
// -> process.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool is_source(const fs::path& p) {
  const auto ext = p.extension();
  return ext == ".cpp" || ext == ".hpp" || ext == ".h" || ext == ".cc";
}

// Every `#include "..."` of a file, in order.
std::vector<std::string> quoted_includes(const std::string& text) {
  static const std::regex include(R"re(^\s*#\s*include\s*"([^"]+)")re", std::regex::multiline);
  std::vector<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it)
    out.push_back((*it)[1].str());
  return out;
}

// The folder right below tools/ that a path lies in ("ws" for
// tools/ws/server.hpp), or "" for anything else.
std::string tools_folder(const std::string& path) {
  if (path.rfind("tools/", 0) != 0) return "";
  const auto slash = path.find('/', 6);
  return slash == std::string::npos ? "" : path.substr(6, slash - 6);
}

// The layers of tools/, top first. A folder may include its own headers and
// those of folders ranked lower; a workload includes another only where it
// rides on it (kRidesOn).
const std::map<std::string, int>& tools_ranks() {
  static const std::map<std::string, int> ranks = {
      {"cli", 9},  // main, the command registry
      {"tcp", 8},     {"http", 8}, {"ws", 8}, {"stream", 8}, {"echo", 8},  // the workloads
      {"peers", 7},                                                        // other clients' rows
      {"serve", 6},    // built-in servers on their loops, `bench serve`'s options
      {"measure", 5},  // repeats, progress, pacing, resource samples
      {"report", 4},   // results, baselines, matrix
      {"net", 3},      // --net: the profile, namespaces, the delay line
      {"options", 2},  // option values every command checks the same way
      {"process", 1},  // processes, signals, CPU times, where the server runs
  };
  return ranks;
}
const std::set<std::pair<std::string, std::string>> kRidesOn = {
    {"stream", "ws"},  // verified streaming is a WsServer route and a WsConnector client
    {"echo", "ws"},    // ws/wss echo is a WsServer route and a WsConnector client
};

// Why `from` may not include `to` (both tools/ folders), or "" when it may.
std::string tools_include_problem(const std::string& from, const std::string& to) {
  const auto& ranks = tools_ranks();
  const auto f = ranks.find(from), t = ranks.find(to);
  if (f == ranks.end()) return "tools/" + from + "/ has no layer in tests/unit/layering_test.cpp";
  if (t == ranks.end()) return "tools/" + to + "/ has no layer in tests/unit/layering_test.cpp";
  if (from == to || kRidesOn.count({from, to})) return "";
  if (f->second > t->second) return "";
  if (f->second == t->second)
    return "workload " + from + " includes workload " + to +
           " (only a workload that rides on another may; see kRidesOn)";
  return "tools/" + from + "/ (layer " + std::to_string(f->second) + ") includes tools/" + to +
         "/ (layer " + std::to_string(t->second) + "): includes point down only";
}

}  // namespace

TEST_CASE(
    "tools/ includes point one way: cli -> workloads -> peers -> serve -> measure -> report -> net "
    "-> options -> process") {
  CHECK(tools_include_problem("cli", "ws").empty());
  CHECK(tools_include_problem("ws", "process").empty());
  CHECK(tools_include_problem("stream", "ws").empty());
  CHECK_FALSE(tools_include_problem("ws", "stream").empty());
  CHECK_FALSE(tools_include_problem("tcp", "ws").empty());
  CHECK_FALSE(tools_include_problem("process", "report").empty());
  CHECK_FALSE(tools_include_problem("report", "cli").empty());
  CHECK_FALSE(tools_include_problem("bogus", "process").empty());  // a folder with no layer
  CHECK(tools_include_problem("echo", "ws").empty());

  const fs::path root = LOOPBENCH_SOURCE_DIR;
  int includes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root / "tools")) {
    if (!entry.is_regular_file() || !is_source(entry.path())) continue;
    const std::string rel = fs::relative(entry.path(), root).generic_string();
    const std::string from = tools_folder(rel);
    INFO(rel);
    CHECK_MESSAGE(!from.empty(), "a source file at the top of tools/: put it in a folder");
    for (const auto& inc : quoted_includes(read_all(entry.path()))) {
      const std::string to = tools_folder(inc);
      if (inc.rfind("backends/", 0) == 0) {
        // tools/ reaches into backends/ for the registry alone
        CHECK_MESSAGE(inc == "backends/registry.hpp",
                      rel << " includes " << inc << ": tools/ uses backends/registry.hpp only");
      }
      if (to.empty()) continue;
      ++includes;
      const std::string problem = tools_include_problem(from, to);
      CHECK_MESSAGE(problem.empty(), rel << " includes " << inc << ": " << problem);
    }
  }
  CHECK(includes > 100);
}

TEST_CASE("nothing below tools/ includes tools/, and engine/ includes no protocol") {
  const fs::path root = LOOPBENCH_SOURCE_DIR;
  for (const char* top : {"engine", "backends", "protocols"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      if (!entry.is_regular_file() || !is_source(entry.path())) continue;
      const std::string rel = fs::relative(entry.path(), root).generic_string();
      for (const auto& inc : quoted_includes(read_all(entry.path()))) {
        INFO(rel << " includes " << inc);
        CHECK(inc.rfind("tools/", 0) != 0);
        if (rel.rfind("engine/", 0) == 0) CHECK(inc.rfind("protocols/", 0) != 0);
      }
    }
  }
}

TEST_CASE("loop headers appear only in their own backend folder") {
  const fs::path root = LOOPBENCH_SOURCE_DIR;
  const std::pair<const char*, const char*> rules[] = {
      {"<sys/epoll.h>", "backends/epoll/"},
      {"<uv.h>", "backends/libuv/"},
      {"<liburing.h>", "backends/uring/"},
  };
  int files = 0;
  for (const char* top : {"engine", "backends", "protocols", "tools"}) {
    if (!fs::exists(root / top)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      if (!entry.is_regular_file() || !is_source(entry.path())) continue;
      ++files;
      const std::string rel = fs::relative(entry.path(), root).generic_string();
      const std::string text = read_all(entry.path());
      for (const auto& [header, home] : rules) {
        if (text.find(std::string("#include ") + header) != std::string::npos) {
          INFO(rel << " includes " << header);
          CHECK(rel.rfind(home, 0) == 0);
        }
      }
      if (rel.rfind("engine/", 0) == 0 || rel.rfind("protocols/", 0) == 0) {
        INFO(rel << " must not include a backend");
        CHECK(text.find("#include \"backends/") == std::string::npos);
      }
    }
  }
  CHECK(files > 20);
}
