// Keeps the layering of DESIGN.md true: only backends/<name>/ includes its
// loop's header, and engine/ and protocols/ never include a backend.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace

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
