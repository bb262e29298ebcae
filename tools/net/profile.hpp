#pragma once
// What `--net` asks of the emulated path between client and server: a
// round-trip delay, a rate, a loss rate and a jitter, by profile name or
// spelled out.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace lb::net {

struct Profile {
  std::string name;            // lan, wan, mobile, or "custom"
  double rtt_ms = 0;           // added round trip: half of it in each direction
  double jitter_ms = 0;        // the round trip varies by up to +-jitter/2 each way
  double loss = 0;             // fraction of frames dropped, in each direction
  std::uint64_t rate_bps = 0;  // bottleneck in each direction, bits/s

  nlohmann::json json() const;
  // "wan: rtt 20 ms, 1 Gbit/s, loss 0.01 %"
  std::string describe() const;
};

// lan (0.2 ms, 10 Gbit/s), wan (20 ms, 1 Gbit/s, 0.01 % loss), mobile
// (60 ms +-10 ms, 50 Mbit/s, 0.5 % loss), or a comma list of rtt=20ms,
// rate=1gbit, loss=0.1%, jitter=2ms (rtt and rate required; units: us, ms,
// s; bit, kbit, mbit, gbit; % or a fraction). Throws UsageError naming
// --net and what is wrong.
Profile parse_profile(const std::string& text);

}  // namespace lb::net
