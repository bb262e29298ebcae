#pragma once
// The user-space delay line between the client's and the server's network
// namespaces: it forwards every Ethernet frame between two interfaces of
// its own namespace (AF_PACKET on each), each one after its one-way delay
// and jitter, dropping a fraction at random. TCP sees the delay on every
// packet, as on a real path; nothing here terminates a connection. The
// rate limit is not here but in tbf at each sender's egress.
#include <cstdint>
#include <string>

namespace lb::net {

struct DelayLineConfig {
  double delay_ms = 0;   // one way
  double jitter_ms = 0;  // each frame's delay varies by up to +-jitter/2
  double loss = 0;       // fraction of frames dropped
  std::uint64_t seed = 1;
};

struct DelayLineStats {
  std::uint64_t frames = 0;    // forwarded
  std::uint64_t bytes = 0;     // forwarded, Ethernet frames
  std::uint64_t lost = 0;      // dropped on purpose (loss)
  std::uint64_t overflow = 0;  // dropped: queue full or the interface refused
  std::uint64_t oversize = 0;  // dropped: more than one MTU (an offload left on)
};

// Forwards between interfaces `a` and `b` until `stop_fd` is readable or
// closed. Frames keep their order in each direction (jitter never
// reorders). Throws std::runtime_error on setup failures.
DelayLineStats run_delay_line(const std::string& a, const std::string& b,
                              const DelayLineConfig& config, int stop_fd);

}  // namespace lb::net
