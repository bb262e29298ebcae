#pragma once
// The command line bench was started with, as a user would type it again
// (arguments with spaces or shell characters in single quotes): results
// files and reports record it beside the machine and the version.
#include <string>

namespace lb {

void record_command_line(int argc, const char* const* argv);
// "bench matrix --profile quick"; empty when none was recorded (tests).
const std::string& command_line();
// One argument quoted for a POSIX shell where it needs it.
std::string shell_quoted(const std::string& arg);

}  // namespace lb
