#include "tools/measure/resource_sampler.hpp"

#include <fmt/core.h>
#include <cstdio>

#include "tools/process/cpu.hpp"
#include "tools/process/this_process.hpp"

namespace lb {

ResourceSampler::ResourceSampler(Loop& loop, std::chrono::nanoseconds interval, pid_t server,
                                 std::function<std::string()> status)
    : loop_(loop), interval_(interval), server_(server), status_(std::move(status)) {
  arm();
}

void ResourceSampler::arm() {
  timer_ = loop_.start_timer(interval_, [this] {
    take();
    arm();
  });
}

void ResourceSampler::take() {
  ResourceSample s;
  s.t_s = std::chrono::duration<double>(Clock::now() - start_).count();
  if (auto m = memory_of(this_pid())) s.rss_kib = m->rss;
  s.fds = open_fds_of(this_pid()).value_or(0);
  if (server_ > 0) {
    if (auto m = memory_of(server_)) s.server_rss_kib = m->rss;
    s.server_fds = open_fds_of(server_);
  }
  samples_.push_back(s);
  std::string line = fmt::format("{:7.1f} s  {}  client {:.1f} MiB {} fds", s.t_s, status_(),
                                 static_cast<double>(s.rss_kib) / 1024, s.fds);
  if (s.server_rss_kib && s.server_fds)
    line += fmt::format("  server {:.1f} MiB {} fds", static_cast<double>(*s.server_rss_kib) / 1024,
                        *s.server_fds);
  // Over a progress line on a terminal, then a line of its own.
  std::fprintf(stderr, "%s%s\n", stderr_is_terminal() ? "\r\033[K" : "", line.c_str());
}

nlohmann::json ResourceSampler::json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : samples_) {
    nlohmann::json j = {{"t_s", s.t_s}, {"rss_kib", s.rss_kib}, {"fds", s.fds}};
    j["server_rss_kib"] = s.server_rss_kib ? nlohmann::json(*s.server_rss_kib) : nullptr;
    j["server_fds"] = s.server_fds ? nlohmann::json(*s.server_fds) : nullptr;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace lb
