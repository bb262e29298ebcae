#pragma once
// Open-loop pacing, shared by bench echo and bench http --rate: `rate`
// operations per second over all senders (connections, or HTTP transfers),
// each sender keeping its own schedule of intended send times at rate /
// senders, as wrk2 does per connection. Latency then counts from the
// intended time, so a stall shows for every operation it held up
// (coordinated omission), and a slot that falls due while its sender is
// still busy goes out as soon as it is free: a late send, counted.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/loop.hpp"

namespace CLI {
class App;
}

namespace lb {

struct Pacing {
  double rate = 0;  // operations/s over all senders; 0: closed loop
  std::string arrival = "uniform";

  bool open() const { return rate > 0; }
  bool poisson() const { return arrival == "poisson"; }
  // Throws UsageError for a rate out of 0..kMaxRate or an unknown arrival.
  void check() const;
};

// 100 ns between the slots of a single sender: far above what one client
// loop can send (docs/notes/pacing.md), and a backlog that a stalled
// sender's Poisson slots can still be walked through.
inline constexpr double kMaxRate = 1e7;

// Adds --rate (what one operation is: `unit`, e.g. "messages") and --arrival.
void add_pacing_options(CLI::App* cmd, Pacing& pacing, const std::string& unit,
                        const std::string& senders);

// One sender's intended send times.
class SendSchedule {
 public:
  SendSchedule() = default;
  // The `index`-th of `senders` senders sharing `pacing`'s rate; its first
  // slot comes `index` / `senders` of a gap after `start`, so the senders
  // take turns instead of sending together. Each sender draws its Poisson
  // gaps from a generator of its own, seeded by its index: 8 bytes of state
  // (splitmix64), since bench echo keeps one schedule per connection and
  // reports memory per connection.
  SendSchedule(const Pacing& pacing, std::size_t index, std::size_t senders,
               Clock::time_point start);

  Clock::time_point due() const { return next_; }
  // The slot that is due next; the schedule moves on to the one after.
  Clock::time_point take();
  // Moves past every slot up to `until`; returns how many of them fall at
  // or after `from`. Uniform slots are counted, not walked.
  std::uint64_t skip_through(Clock::time_point from, Clock::time_point until);

 private:
  std::chrono::nanoseconds gap_{};
  bool poisson_ = false;
  std::uint64_t rng_state_ = 0;
  Clock::time_point next_{};
};

// Send slots that fell due inside a measured window, and how many of them
// went out late (their sender was busy) or never (counted late as well).
struct SlotCount {
  std::uint64_t slots = 0, late = 0;

  void add(const SlotCount& other) {
    slots += other.slots;
    late += other.late;
  }
  void count(bool late_send) {
    ++slots;
    if (late_send) ++late;
  }
  // The slots of `schedule` still unsent from `from` to `until`: a stalled
  // sender's slots are late too. Moves the schedule past `until`.
  void count_unsent(SendSchedule& schedule, Clock::time_point from, Clock::time_point until);
};

// A row's "rate" block: asked, slots, late and, when known, the achieved
// rate (the row's median operations/s).
nlohmann::json pacing_json(const Pacing& pacing, const SlotCount& slots,
                           std::optional<double> achieved);

}  // namespace lb
