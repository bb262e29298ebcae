#include "tools/tcp/table.hpp"

#include <fmt/core.h>

#include "tools/options/options.hpp"
#include "tools/options/size.hpp"

namespace lb {
namespace {}  // namespace

void print_tcp_table(std::FILE* out, const std::vector<RunResult>& runs, const TcpTableContext& c) {
  const std::string server =
      c.target == "builtin"
          ? fmt::format("built-in server (loop {}, {})", c.server_loop, cpu_text(c.server_cpu))
          : "server " + c.target;
  const int repeats = runs.empty() ? 0 : static_cast<int>(runs.front().params.value("repeat", 0));
  fmt::print(out, "bench tcp: {}; client {}; chunk {}; {} after {}\n", server,
             cpu_text(c.client_cpu), format_bytes(c.chunk), counted(repeats, "repeat"),
             counted(c.warmup, "warm-up"));
  fmt::print(out,
             "Gbit/s is 10^9 bits of payload per second; figures are medians [min-max] over "
             "the repeats; CPU is the client process's user+sys time.\n\n");
  fmt::print(out, "{:<11} {:<6} {:>9}  {:<24} {:>8}  {:<22} {:>17}  {}\n", "direction", "loop",
             "payload", "Gbit/s", "seconds", "client CPU s/GiB", "lag p99/max ms", "errors");
  for (const auto& r : runs) {
    const std::string lag = fmt::format("{:.1f}/{:.1f}", r.loop_lag_ns.percentile(0.99) / 1e6,
                                        r.loop_lag_ns.max() / 1e6);
    if (r.repeats.empty()) {
      fmt::print(out, "{:<11} {:<6} {:>9}  {:<24} {:>8}  {:<22} {:>17}  {}\n", r.mode, r.loop,
                 r.size_bytes ? format_bytes(r.size_bytes) : "-", "-", "-", "-", "-", r.errors);
      continue;
    }
    const auto payload = r.repeats.front().bytes;
    fmt::print(out, "{:<11} {:<6} {:>9}  {:<24} {:>8.3f}  {:<22} {:>17}  {}\n", r.mode, r.loop,
               format_bytes(payload), spread_text(r.bytes_per_s(), 8 / 1e9, 2),
               r.duration_s().median, spread_text(r.cpu_s_per_gib(), 1, 3), lag, r.errors);
  }
  for (const auto& r : runs)
    for (const auto& m : r.error_messages)
      fmt::print(out, "error: {} {}: {}\n", r.mode, r.loop, m);
}

}  // namespace lb
