// Windows: the same facts through Win32 (tools/process/this_process.hpp).
#include <io.h>
#include <windows.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "tools/process/this_process.hpp"

namespace lb {

int this_pid() {
  return static_cast<int>(::GetCurrentProcessId());
}

bool stderr_is_terminal() {
  return ::_isatty(2) != 0;
}

std::string executable_path() {
  char path[MAX_PATH * 4];
  const DWORD n = ::GetModuleFileNameA(nullptr, path, sizeof path);
  if (n == 0 || n == sizeof path) throw std::runtime_error("cannot find the bench binary");
  return std::string(path, n);
}

const char* null_device() {
  return "NUL";
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  std::error_code ec;
  while (std::getline(dirs, dir, ';')) {
    if (dir.empty()) continue;
    for (const char* ext : {"", ".exe", ".cmd", ".bat"})
      if (std::filesystem::is_regular_file(std::filesystem::path(dir) / (program + ext), ec))
        return true;
  }
  return false;
}

SystemFacts system_facts() {
  SystemFacts facts;
  HKEY key;
  if (::RegOpenKeyExA(HKEY_LOCAL_MACHINE, "HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0", 0,
                      KEY_READ, &key) == ERROR_SUCCESS) {
    char name[256];
    DWORD size = sizeof name;
    if (::RegQueryValueExA(key, "ProcessorNameString", nullptr, nullptr,
                           reinterpret_cast<BYTE*>(name), &size) == ERROR_SUCCESS &&
        size > 1)
      facts.cpu_model = std::string(name, size - 1);
    ::RegCloseKey(key);
  }
  // GetVersionEx answers what the manifest allows; ntdll's RtlGetVersion
  // answers the system's own version.
  using RtlGetVersion = LONG(WINAPI*)(OSVERSIONINFOW*);
  OSVERSIONINFOW v{};
  v.dwOSVersionInfoSize = sizeof v;
  if (auto* get = reinterpret_cast<RtlGetVersion>(reinterpret_cast<void*>(
          ::GetProcAddress(::GetModuleHandleA("ntdll.dll"), "RtlGetVersion")));
      get && get(&v) == 0)
    facts.kernel = "Windows " + std::to_string(v.dwMajorVersion) + "." +
                   std::to_string(v.dwMinorVersion) + "." + std::to_string(v.dwBuildNumber);
  return facts;
}

}  // namespace lb
