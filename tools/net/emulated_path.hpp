#pragma once
// `--net`: the client and the built-in server in two network namespaces,
// each with a veth pair to a third one where the delay line forwards frames
// between them. tbf limits the rate at each sender's egress. The calling
// thread (the client) moves into the client's namespace; server processes
// forked afterwards enter the server's (placement()).
//
// Nothing has a name outside this process: the namespaces are held by file
// descriptors and the delay line's process, so they, their links and their
// routes vanish when the process exits, however it exits (the delay line
// dies with its parent: PR_SET_PDEATHSIG).
#include <sys/types.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/unique_fd.hpp"
#include "tools/net/delay_line.hpp"
#include "tools/net/profile.hpp"
#include "tools/process/placement.hpp"

namespace lb::net {

struct PathMeasurement {
  double connect_p50_ms = 0, connect_min_ms = 0, connect_max_ms = 0;
  double rate_down_bps = 0, rate_up_bps = 0;  // Ethernet frames, UDP trains
};

class EmulatedPath {
 public:
  // Builds the path and measures it. Throws UsageError without
  // CAP_NET_ADMIN, and std::runtime_error when a step fails (with the
  // command's message).
  explicit EmulatedPath(const Profile& profile);
  ~EmulatedPath();
  EmulatedPath(const EmulatedPath&) = delete;
  EmulatedPath& operator=(const EmulatedPath&) = delete;

  const Profile& profile() const { return profile_; }
  const PathMeasurement& measured() const { return measured_; }
  // The server's side of the path, for what starts servers and records
  // rows; valid while this object lives.
  Placement placement() const;
  // The profile, what was measured, and the delay line's CPU and wall time
  // from when the path was measured until now (a row records it as it
  // starts; the line stop() returns has the whole run's).
  nlohmann::json json() const;
  // Stops the delay line (idempotent) and says what it did, one line.
  std::string stop();

 private:
  void build();
  void start_delay_line();
  void measure();
  double delay_line_cpu_s() const;

  Profile profile_;
  UniqueFd original_, client_, middle_, server_;
  pid_t delay_line_ = -1;
  UniqueFd stop_write_, stats_read_;
  double started_ = 0;  // steady seconds
  double measured_at_ = 0, cpu_at_measured_ = 0;
  PathMeasurement measured_;
};

// The path of a client command's --net `spec` (null when empty), said on
// stderr with what was measured; UsageError when the command talks to a
// server of the user's (--url, --connect) or runs peers.
std::unique_ptr<EmulatedPath> emulated_path_for(const std::string& spec, bool builtin_server,
                                                bool peers);

// Where a command's servers run: on `path`, or on loopback without one.
inline Placement placement_of(const EmulatedPath* path) {
  return path ? path->placement() : Placement{};
}

}  // namespace lb::net
