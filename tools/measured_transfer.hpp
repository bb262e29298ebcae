#pragma once
// One measured client transfer, the same way for every bench: a progress
// line while it runs, the loop-lag probe around it, the process's CPU time
// it took. The transfer's done callback must stop the loop.
#include <string>

#include "engine/lag_probe.hpp"
#include "engine/loop.hpp"
#include "tools/cpu.hpp"
#include "tools/progress_line.hpp"

namespace lb {

template <class Transfer>
CpuTimes run_measured(Loop& loop, Transfer& transfer, LagProbe& lag, const std::string& label,
                      double bits_per_unit = double(1ull << 30),
                      const std::string& unit = "Gibit/s") {
  ProgressLine progress(
      loop, [&transfer] { return transfer.bytes_so_far(); }, label, bits_per_unit, unit);
  const CpuTimes before = process_cpu_times();
  lag.start();
  transfer.start();
  loop.run();
  lag.stop();
  const CpuTimes used = process_cpu_times() - before;
  loop.run_nowait();  // let the finished session go
  return used;
}

}  // namespace lb
