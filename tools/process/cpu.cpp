#include "tools/process/cpu.hpp"

#include <dirent.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

namespace lb {

std::error_code pin_to_cpu(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return std::make_error_code(std::errc::invalid_argument);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (::sched_setaffinity(0, sizeof set, &set) != 0) return {errno, std::system_category()};
  return {};
}

int online_cpus() {
  return static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
}

CpuTimes process_cpu_times() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

namespace {

std::optional<double> run_queue_wait_s() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator tasks("/proc/self/task", ec);
  if (ec) return std::nullopt;
  std::uint64_t ns = 0;
  bool any = false;
  for (const auto& task : tasks) {
    std::ifstream in(task.path() / "schedstat");
    std::uint64_t on_cpu = 0, waiting = 0;
    if (!(in >> on_cpu >> waiting)) continue;  // a thread that just exited
    ns += waiting;
    any = true;
  }
  if (!any) return std::nullopt;
  return static_cast<double>(ns) / 1e9;
}

// The "cpu" line of /proc/stat: user nice system idle iowait irq softirq
// steal, in clock ticks.
std::optional<double> steal_s() {
  std::ifstream in("/proc/stat");
  std::string name;
  std::uint64_t field[8] = {};
  if (!(in >> name) || name != "cpu") return std::nullopt;
  for (auto& f : field)
    if (!(in >> f)) return std::nullopt;
  const long hz = ::sysconf(_SC_CLK_TCK);
  if (hz <= 0) return std::nullopt;
  return static_cast<double>(field[7]) / static_cast<double>(hz);
}

}  // namespace

SchedulerCounters scheduler_counters() {
  rusage ru{};
  std::optional<std::uint64_t> switches;
  if (::getrusage(RUSAGE_SELF, &ru) == 0) switches = static_cast<std::uint64_t>(ru.ru_nivcsw);
  return {run_queue_wait_s(), switches, steal_s()};
}

std::uint64_t peak_rss_kib() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<std::uint64_t>(ru.ru_maxrss);
}

std::optional<double> cpu_seconds_of(pid_t pid) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator tasks(fs::path("/proc") / std::to_string(pid) / "task", ec);
  if (ec) return std::nullopt;
  std::uint64_t ns = 0;
  bool any = false;
  for (const auto& task : tasks) {
    std::ifstream in(task.path() / "schedstat");
    std::uint64_t on_cpu = 0;
    if (!(in >> on_cpu)) continue;  // a thread that just exited
    ns += on_cpu;
    any = true;
  }
  if (!any) return std::nullopt;
  return static_cast<double>(ns) / 1e9;
}

std::optional<MemoryKib> memory_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  MemoryKib m;
  bool rss = false, peak = false;
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") rss = static_cast<bool>(in >> m.rss);
    if (key == "VmHWM:") peak = static_cast<bool>(in >> m.peak);
    in.ignore(1 << 16, '\n');
  }
  if (!rss || !peak) return std::nullopt;
  return m;
}

std::optional<std::size_t> open_fds_of(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return std::nullopt;
  std::size_t n = 0;
  while (const dirent* e = ::readdir(dir))
    if (e->d_name[0] != '.') ++n;
  ::closedir(dir);
  // Our own listing holds one descriptor of its own: the directory's.
  if (pid == ::getpid() && n > 0) --n;
  return n;
}

void release_free_memory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

void keep_freed_memory() {
#ifdef __GLIBC__
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest
  ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace lb
