#include "tools/process/windows/process_handle.hpp"

#include <stdexcept>

namespace lb::win {
namespace {

// The quoting CommandLineToArgvW and the C runtime undo: quotes around an
// argument with blanks or quotes, backslashes doubled only before a quote.
std::string quoted(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string::npos) return arg;
  std::string out = "\"";
  std::size_t backslashes = 0;
  for (const char c : arg) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    out.append(c == '"' ? backslashes * 2 + 1 : backslashes, '\\');
    backslashes = 0;
    out += c;
  }
  out.append(backslashes * 2, '\\');
  return out + "\"";
}

}  // namespace

std::string last_error(const std::string& what) {
  const DWORD code = ::GetLastError();
  char text[512] = {};
  const DWORD n = ::FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                   nullptr, code, 0, text, sizeof text, nullptr);
  std::string message(text, n);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
    message.pop_back();
  if (message.empty()) message = "error " + std::to_string(code);
  return what + ": " + message;
}

UniqueHandle inheritable_file(const std::string& path, bool write) {
  SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
  HANDLE h = ::CreateFileA(path.c_str(), write ? GENERIC_WRITE : GENERIC_READ,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit,
                           write ? CREATE_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) throw std::runtime_error(last_error("cannot open " + path));
  return UniqueHandle(h);
}

PROCESS_INFORMATION start_process(const std::vector<std::string>& argv, HANDLE in, HANDLE out,
                                  HANDLE err) {
  if (argv.empty()) throw std::runtime_error("no program to start");
  std::string line;
  for (const auto& a : argv)
    line += (line.empty() ? "" : " ") + quoted(a);
  STARTUPINFOA startup{};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = in;
  startup.hStdOutput = out;
  startup.hStdError = err;
  PROCESS_INFORMATION info{};
  if (!::CreateProcessA(nullptr, line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &startup,
                        &info))
    throw std::runtime_error(last_error("cannot start " + argv[0]));
  ::CloseHandle(info.hThread);
  info.hThread = nullptr;
  return info;
}

}  // namespace lb::win
