#pragma once
// A soak's curve: every `interval`, this process's resident set and open
// descriptors, and those of a server process of ours, kept and printed as
// one line on stderr with the workload's own counters beside them, so a
// leak shows as a figure that climbs while the traffic stays level.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/loop.hpp"

namespace lb {

struct ResourceSample {
  double t_s = 0;  // since the sampler started
  std::uint64_t rss_kib = 0;
  std::size_t fds = 0;
  std::optional<std::uint64_t> server_rss_kib;
  std::optional<std::size_t> server_fds;
};

class ResourceSampler {
 public:
  // `server` is -1 when the server is not ours; `status` adds the
  // workload's counters to each printed line.
  ResourceSampler(Loop& loop, std::chrono::nanoseconds interval, pid_t server,
                  std::function<std::string()> status);
  ResourceSampler(const ResourceSampler&) = delete;
  ResourceSampler& operator=(const ResourceSampler&) = delete;

  const std::vector<ResourceSample>& samples() const { return samples_; }
  // [{"t_s", "rss_kib", "fds", "server_rss_kib", "server_fds"}, ...]
  nlohmann::json json() const;

 private:
  void arm();
  void take();

  Loop& loop_;
  std::chrono::nanoseconds interval_;
  pid_t server_;
  std::function<std::string()> status_;
  Clock::time_point start_ = Clock::now();
  std::vector<ResourceSample> samples_;
  Timer timer_;
};

}  // namespace lb
