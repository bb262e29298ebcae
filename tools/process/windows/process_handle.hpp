#pragma once
// Win32 processes for the Windows files of tools/process: an owned HANDLE,
// a command line quoted the way the C runtime splits it, and CreateProcess
// with the child's standard handles redirected.
#include <windows.h>

#include <memory>
#include <string>
#include <vector>

namespace lb::win {

struct HandleCloser {
  void operator()(void* h) const {
    if (h && h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
  }
};
using UniqueHandle = std::unique_ptr<void, HandleCloser>;

// "what: <the system's message for GetLastError()>".
std::string last_error(const std::string& what);

// A file the child inherits as a standard handle: opened for writing
// (created or truncated) or reading.
UniqueHandle inheritable_file(const std::string& path, bool write);

// Starts argv (argv[0] searched as CreateProcess does: the program's folder,
// the system folders, then PATH, ".exe" added) with the given standard
// handles. Throws std::runtime_error when it cannot start.
PROCESS_INFORMATION start_process(const std::vector<std::string>& argv, HANDLE in, HANDLE out,
                                  HANDLE err);

}  // namespace lb::win
