// Windows: run_child through CreateProcess (tools/process/child_process.hpp).
#include "tools/process/child_process.hpp"

#include "tools/process/windows/process_handle.hpp"

namespace lb {

int run_child(const std::vector<std::string>& argv, const std::string& out_path,
              const std::string& err_path) {
  const auto in = win::inheritable_file("NUL", false);
  const auto out = win::inheritable_file(out_path, true);
  win::UniqueHandle err_file;
  if (err_path != out_path) err_file = win::inheritable_file(err_path, true);
  HANDLE err = err_file ? err_file.get() : out.get();
  const auto info = win::start_process(argv, in.get(), out.get(), err);
  const win::UniqueHandle process(info.hProcess);
  ::WaitForSingleObject(process.get(), INFINITE);
  DWORD code = 0;
  ::GetExitCodeProcess(process.get(), &code);
  return static_cast<int>(code);
}

}  // namespace lb
