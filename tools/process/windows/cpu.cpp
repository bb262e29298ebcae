// Windows: pinning, CPU times and memory through Win32
// (tools/process/cpu.hpp). Descriptors have no Windows counterpart: a
// process has handles, not an fd table, so open_fds_of says nothing.
#include <windows.h>
// psapi.h needs windows.h first
#include <psapi.h>

#include "tools/process/cpu.hpp"
#include "tools/process/windows/process_handle.hpp"
#include "tools/process/windows/stop_scope.hpp"

namespace lb {
namespace {

double seconds(const FILETIME& t) {
  const auto ticks = (static_cast<unsigned long long>(t.dwHighDateTime) << 32) | t.dwLowDateTime;
  return static_cast<double>(ticks) / 1e7;  // 100 ns ticks
}

std::optional<CpuTimes> times_of(HANDLE process) {
  FILETIME created, exited, kernel, user;
  if (!::GetProcessTimes(process, &created, &exited, &kernel, &user)) return std::nullopt;
  return CpuTimes{seconds(user), seconds(kernel)};
}

win::UniqueHandle open_process(pid_t pid) {
  return win::UniqueHandle(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE,
                                         static_cast<DWORD>(pid)));
}

}  // namespace

// Windows threads do not inherit their creator's affinity: this pins the
// calling thread only.
std::error_code pin_to_cpu(int cpu) {
  if (cpu < 0 || cpu >= 64) return std::make_error_code(std::errc::invalid_argument);
  if (::SetThreadAffinityMask(::GetCurrentThread(), DWORD_PTR{1} << cpu) == 0)
    return {static_cast<int>(::GetLastError()), std::system_category()};
  return {};
}

int online_cpus() {
  SYSTEM_INFO info;
  ::GetSystemInfo(&info);
  return static_cast<int>(info.dwNumberOfProcessors);
}

// The process's times less those of the built-in server's thread, which
// a child would not have counted here.
CpuTimes process_cpu_times() {
  const CpuTimes all = times_of(::GetCurrentProcess()).value_or(CpuTimes{});
  const auto server = win::server_threads_cpu_times();
  return {all.user_s - server.user_s, all.sys_s - server.sys_s};
}

// Windows keeps no run-queue wait, switch count or steal time per process
// that a guest can read.
SchedulerCounters scheduler_counters() {
  return {};
}

std::uint64_t peak_rss_kib() {
  PROCESS_MEMORY_COUNTERS m{};
  if (!::GetProcessMemoryInfo(::GetCurrentProcess(), &m, sizeof m)) return 0;
  return m.PeakWorkingSetSize / 1024;
}

std::optional<double> cpu_seconds_of(pid_t pid) {
  const auto process = open_process(pid);
  if (!process) return std::nullopt;
  const auto t = times_of(process.get());
  if (!t) return std::nullopt;
  return t->user_s + t->sys_s;
}

std::optional<MemoryKib> memory_of(pid_t pid) {
  const auto process = open_process(pid);
  if (!process) return std::nullopt;
  PROCESS_MEMORY_COUNTERS m{};
  if (!::GetProcessMemoryInfo(process.get(), &m, sizeof m)) return std::nullopt;
  return MemoryKib{m.WorkingSetSize / 1024, m.PeakWorkingSetSize / 1024};
}

std::optional<std::size_t> open_fds_of(pid_t) {
  return std::nullopt;
}

void release_free_memory() {}

void keep_freed_memory() {}

}  // namespace lb
