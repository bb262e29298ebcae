#include "tools/measure/pacing.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>

#include "tools/options/options.hpp"
#include "tools/options/subcommand.hpp"

namespace lb {

void Pacing::check() const {
  if (rate < 0 || !std::isfinite(rate)) throw UsageError("--rate must be 0 (closed loop) or more");
  if (rate > kMaxRate)
    throw UsageError(fmt::format("--rate: at most {:.0f}/s, got {}", kMaxRate, rate));
  if (arrival != "uniform" && arrival != "poisson")
    throw UsageError("--arrival: expected uniform or poisson, got '" + arrival + "'");
}

void add_pacing_options(CLI::App* cmd, Pacing& pacing, const std::string& unit,
                        const std::string& senders) {
  cmd->add_option("-R,--rate", pacing.rate,
                  "Open loop: " + unit + "/s over all " + senders +
                      ", sent at their intended times (0: closed loop)")
      ->check(finite_number())
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

std::uint64_t SendSchedule::skip_through(Clock::time_point from, Clock::time_point until) {
  if (next_ > until) return 0;
  if (poisson_) {
    std::uint64_t n = 0;
    while (next_ <= until)
      if (take() >= from) ++n;
    return n;
  }
  // The slots next_ + k * gap_ for k below `slots`; below `before_from`
  // they fall before `from`.
  const std::int64_t slots = (until - next_) / gap_ + 1;
  const auto ahead = from - next_;
  const std::int64_t before_from =
      ahead <= ahead.zero() ? 0 : (ahead + gap_ - Clock::duration(1)) / gap_;
  next_ += gap_ * slots;
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, slots - before_from));
}

void SlotCount::count_unsent(SendSchedule& schedule, Clock::time_point from,
                             Clock::time_point until) {
  const auto unsent = schedule.skip_through(from, until);
  slots += unsent;
  late += unsent;
}

nlohmann::json pacing_json(const Pacing& pacing, const SlotCount& slots,
                           std::optional<double> achieved) {
  nlohmann::json j = {{"asked", pacing.rate}, {"slots", slots.slots}, {"late", slots.late}};
  if (achieved) j["achieved"] = *achieved;
  return j;
}

}  // namespace lb
