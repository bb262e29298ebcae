#include "tools/process/listening_program.hpp"

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace lb {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ListeningProgram::ListeningProgram(const std::vector<std::string>& argv,
                                   const std::string& log_path, std::chrono::milliseconds timeout)
    : log_path_(log_path), process_(argv, log_path) {
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string text = read_all(log_path);
    std::smatch m;
    if (std::regex_search(text, m, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      return;
    }
    const bool exited = process_.exited();
    if (exited || std::chrono::steady_clock::now() > deadline) {
      process_.stop();
      throw std::runtime_error(argv[0] + (exited ? " exited" : " did not start listening") + ": " +
                               read_all(log_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace lb
