#pragma once
// What bench asks of its own process and system that each OS answers its
// own way: this_process.cpp (POSIX, /proc) and windows/this_process.cpp.
#include <string>

namespace lb {

int this_pid();
// Progress lines redraw in place only on a terminal.
bool stderr_is_terminal();
// The running bench executable; std::runtime_error when the system will not say.
std::string executable_path();
// The file that discards what is written to it ("/dev/null", "NUL").
const char* null_device();
// Whether `program` names an executable file in a PATH folder.
bool on_path(const std::string& program);

// What a results file records of the machine.
struct SystemFacts {
  std::string cpu_model = "unknown";
  std::string kernel;  // uname's release; "Windows 10.0.19045" there
};
SystemFacts system_facts();

}  // namespace lb
