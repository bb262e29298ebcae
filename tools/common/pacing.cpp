#include "tools/common/pacing.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>

#include "tools/common/subcommand.hpp"

namespace lb {

void Pacing::check() const {
  if (rate < 0 || !std::isfinite(rate)) throw UsageError("--rate must be 0 (closed loop) or more");
  if (arrival != "uniform" && arrival != "poisson")
    throw UsageError("--arrival: expected uniform or poisson, got '" + arrival + "'");
}

void add_pacing_options(CLI::App* cmd, Pacing& pacing, const std::string& unit,
                        const std::string& senders) {
  cmd->add_option("--rate", pacing.rate,
                  "Open loop: " + unit + "/s over all " + senders +
                      ", sent at their intended times (0: closed loop)")
      ->capture_default_str();
  cmd->add_option("--arrival", pacing.arrival, "Open loop send times: uniform or poisson")
      ->capture_default_str();
}

SendSchedule::SendSchedule(const Pacing& pacing, std::size_t index, std::size_t senders,
                           Clock::time_point start)
    : gap_(std::max<std::int64_t>(
          1, static_cast<std::int64_t>(1e9 * static_cast<double>(senders) / pacing.rate))),
      poisson_(pacing.poisson()),
      rng_state_(0x6563686f + index),
      next_(start + gap_ * static_cast<std::int64_t>(index) / static_cast<std::int64_t>(senders)) {}

Clock::time_point SendSchedule::take() {
  const auto slot = next_;
  if (!poisson_) {
    next_ += gap_;
  } else {
    // splitmix64, then an exponential gap by inversion: -mean * ln(1 - u).
    std::uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    const double u = static_cast<double>(z >> 11) * 0x1.0p-53;  // [0, 1)
    next_ += std::chrono::nanoseconds(
        static_cast<std::int64_t>(-static_cast<double>(gap_.count()) * std::log1p(-u)));
  }
  return slot;
}

void SlotCount::count_unsent(SendSchedule& schedule, Clock::time_point from,
                             Clock::time_point until) {
  while (schedule.due() <= until)
    if (schedule.take() >= from) count(true);
}

nlohmann::json pacing_json(const Pacing& pacing, const SlotCount& slots,
                           std::optional<double> achieved) {
  nlohmann::json j = {{"asked", pacing.rate}, {"slots", slots.slots}, {"late", slots.late}};
  if (achieved) j["achieved"] = *achieved;
  return j;
}

}  // namespace lb
