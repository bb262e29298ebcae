#pragma once
// One measured client transfer, the same way for every bench: a progress
// line while it runs, the loop-lag probe around it, the process's CPU time
// it took.
#include <string>
#include <utility>

#include "engine/lag_probe.hpp"
#include "engine/loop.hpp"
#include "engine/statistics/histogram.hpp"
#include "tools/measure/progress_line.hpp"
#include "tools/process/cpu.hpp"

namespace lb {

// How the progress line states a rate: 10^9 bits, as iperf3 and the
// kernel count a network's rate, unless told.
struct RateUnit {
  double bits_per_unit = 1e9;
  const char* name = "Gbit/s";
};

// Runs `transfer` (start(), bytes_so_far()) to its end; its done callback
// must stop the loop.
template <class Transfer>
CpuTimes run_measured(Loop& loop, Transfer& transfer, LagProbe& lag, const std::string& label,
                      RateUnit unit = {}) {
  ProgressLine progress(
      loop, [&transfer] { return transfer.bytes_so_far(); }, label, unit.bits_per_unit, unit.name);
  const CpuTimes before = process_cpu_times();
  transfer.start();
  // The probe watches loop turns; start() is setup that runs before any.
  lag.start();
  loop.run();
  lag.stop();
  const CpuTimes used = process_cpu_times() - before;
  loop.run_nowait();  // let the finished session go
  return used;
}

template <class Transfer>
struct Measured {
  typename Transfer::Result result;
  CpuTimes cpu;
  Histogram loop_lag_ns;
};

// One Transfer(loop, spec, done), from start to its done callback, measured.
// A Transfer names its Spec and Result and calls done(const Result&) once.
template <class Transfer>
Measured<Transfer> measure_transfer(Loop& loop, typename Transfer::Spec spec,
                                    const std::string& label, RateUnit unit = {}) {
  Measured<Transfer> m;
  LagProbe lag(loop);
  Transfer transfer(loop, std::move(spec), [&](const typename Transfer::Result& r) {
    m.result = r;
    loop.stop();
  });
  m.cpu = run_measured(loop, transfer, lag, label, unit);
  m.loop_lag_ns = lag.lag_ns();
  return m;
}

}  // namespace lb
