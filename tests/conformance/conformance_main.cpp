// Runs the conformance cases against one backend: --loop=NAME (CTest adds
// one entry per compiled backend). Other arguments go to doctest.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "harness.hpp"

namespace lb::test {
namespace {
std::string g_backend;
}
const std::string& backend_under_test() {
  return g_backend;
}
}  // namespace lb::test

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--loop=", 7) == 0)
      lb::test::g_backend = argv[i] + 7;
    else
      rest.push_back(argv[i]);
  }
  if (lb::test::g_backend.empty()) {
    std::cerr << "usage: " << argv[0] << " --loop=NAME [doctest options]\n";
    return 2;
  }
  std::vector<std::string> notes;
  try {
    lb::select_backends(lb::test::g_backend, notes);
  } catch (const lb::BackendError& e) {
    // Compiled in but not usable on this kernel: CTest reports a skip.
    std::cerr << "skipped: " << e.what() << "\n";
    return 77;
  }
  doctest::Context context(static_cast<int>(rest.size()), rest.data());
  return context.run();
}
