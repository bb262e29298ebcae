#include "tools/report/command_line.hpp"

namespace lb {
namespace {

std::string& recorded() {
  static std::string line;
  return line;
}

}  // namespace

std::string shell_quoted(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_=.,/:@%+") == std::string::npos)
    return arg;
  std::string out = "'";
  for (const char c : arg)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void record_command_line(int argc, const char* const* argv) {
  std::string line = "bench";  // the program as its docs call it, wherever it was run from
  for (int i = 1; i < argc; ++i)
    line += " " + shell_quoted(argv[i]);
  recorded() = std::move(line);
}

const std::string& command_line() {
  return recorded();
}

}  // namespace lb
