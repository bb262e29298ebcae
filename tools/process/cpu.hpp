#pragma once
// CPU pinning; the CPU time, memory and open descriptors of the measuring
// process, and of another process of ours (the built-in server) read from
// /proc.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

namespace lb {

// Pins the calling thread (and the threads it starts later) to one CPU.
std::error_code pin_to_cpu(int cpu);
int online_cpus();

struct CpuTimes {
  double user_s = 0;
  double sys_s = 0;
};
// This process's CPU time so far (getrusage), every thread included.
CpuTimes process_cpu_times();
inline CpuTimes operator-(const CpuTimes& a, const CpuTimes& b) {
  return {a.user_s - b.user_s, a.sys_s - b.sys_s};
}

// What the scheduler did to this process so far, as far as the system
// tells (each figure nullopt where it does not): the time its threads
// spent runnable but waiting for a CPU (/proc/self/task/*/schedstat,
// threads alive now), its involuntary context switches (getrusage) and
// the steal time of every CPU of the machine (/proc/stat), which a
// hypervisor charges while it runs another guest on our vCPU.
struct SchedulerCounters {
  std::optional<double> run_queue_wait_s;
  std::optional<std::uint64_t> involuntary_switches;
  std::optional<double> steal_s;
};
SchedulerCounters scheduler_counters();

// Peak resident set of this process, KiB (getrusage).
std::uint64_t peak_rss_kib();

// CPU time (user + system, every thread) another process of ours has used
// so far, to the nanosecond (/proc/PID/task/*/schedstat); nullopt when the
// process is gone or the kernel does not keep the figure.
std::optional<double> cpu_seconds_of(pid_t pid);

// Resident set now and at its peak, KiB (/proc/PID/status VmRSS, VmHWM);
// nullopt when the process is gone.
struct MemoryKib {
  std::uint64_t rss = 0;
  std::uint64_t peak = 0;
};
std::optional<MemoryKib> memory_of(pid_t pid);

// Open file descriptors of a process (/proc/PID/fd), a listing of our own
// not counted; nullopt when the process is gone.
std::optional<std::size_t> open_fds_of(pid_t pid);

// Hands freed heap memory back to the system (glibc's malloc_trim; nothing
// elsewhere), so a resident-set difference measured next counts what is
// allocated from here on, not what an earlier run left free in the heap.
void release_free_memory();

// Keeps freed memory in the heap for the next allocation (glibc: no mmap of
// its own for a large block, no trimming after a free; nothing elsewhere),
// so a repeat reuses the pages its warm-up touched instead of paying a
// first touch for every send queue and batch buffer (docs/notes/memory.md).
void keep_freed_memory();

}  // namespace lb
