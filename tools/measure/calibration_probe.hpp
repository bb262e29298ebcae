#pragma once
// A fixed piece of CPU work, timed: a vCPU that the hypervisor runs slow
// (without reporting steal) or that another task shares takes longer for
// it. Bench times it before and after each repeat on the measuring thread,
// so a repeat on a slowed core shows as a probe that stands out.
namespace lb {

// Microseconds the probe's work took now, on the calling thread's CPU
// (about half a millisecond on an unloaded 2020s core).
double calibration_probe_us();

}  // namespace lb
