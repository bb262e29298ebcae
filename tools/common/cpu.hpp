#pragma once
// CPU pinning, and the CPU time and peak memory of the measuring process.
#include <cstdint>
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

// Peak resident set of this process, KiB (getrusage).
std::uint64_t peak_rss_kib();

}  // namespace lb
