#include "engine/lag_probe.hpp"

namespace lb {

LagProbe::LagProbe(Loop& loop, std::chrono::milliseconds period) : loop_(loop), period_(period) {}

void LagProbe::start() {
  due_ = Clock::now() + period_;
  arm();
}

// Each tick is scheduled from the previous due time, not from when it ran,
// so lateness does not accumulate into the schedule.
void LagProbe::arm() {
  timer_ = loop_.start_timer(due_ - Clock::now(), [this] {
    const auto now = Clock::now();
    lag_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - due_).count()));
    due_ += period_;
    if (due_ < now) due_ = now + period_;
    arm();
  });
}

}  // namespace lb
