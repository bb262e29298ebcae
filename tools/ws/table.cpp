#include "tools/ws/table.hpp"

#include <fmt/core.h>

#include "tools/options/size.hpp"
#include "tools/peers/runner.hpp"

namespace lb {

void print_ws_table(std::FILE* out, const std::vector<RunResult>& runs, const std::string& header) {
  fmt::print(out, "{}\n", header);
  fmt::print(out,
             "Gbit/s = 10^9 bits and GB/s = 10^9 bytes of payload per second (as iperf3 counts; "
             "the original printed 2^30 bits as \"Gbps\"); medians [min-max] over the repeats; "
             "\"vs ours\": a peer's throughput over our client's in the same direction, round "
             "by round (ratio [95 % interval] verdict; ours on the reference loop and codec).\n\n");
  constexpr auto kRow =
      "{:<11} {:<10} {:<14} {:<6} {:>9}  {:<22} {:>6} {:>8}  {:>9}  {:<20} {:>6}  {:>15}  {:>6}  "
      "{}\n";
  fmt::print(out, kRow, "direction", "client", "loop", "codec", "payload", "Gbit/s", "GB/s",
             "seconds", "msgs/s", "client CPU s/GiB", "server", "lag p99/max ms", "errors",
             "vs ours");
  for (const auto& r : runs) {
    const std::string lag = fmt::format("{:.1f}/{:.1f}", r.loop_lag_ns.percentile(0.99) / 1e6,
                                        r.loop_lag_ns.max() / 1e6);
    const std::string codec = r.codec.empty() ? "-" : r.codec;
    if (r.peer_status == "not installed") {
      fmt::print(out, "{:<11} {:<10} {:<14} {:<6} {:>9}  not installed: {}\n", r.mode,
                 r.client_name(), r.loop, codec, format_bytes(r.size_bytes), r.peer_note);
      continue;
    }
    if (r.repeats.empty()) {
      fmt::print(out, kRow, r.mode, r.client_name(), r.loop, codec, format_bytes(r.size_bytes),
                 r.peer_status == "failed" ? "failed" : "-", "-", "-", "-", "-", "-", "-", r.errors,
                 "");
      continue;
    }
    const auto bps = r.bytes_per_s();
    const double gbit = 8.0 / 1e9;
    const auto cpu = r.cpu_s_per_gib();
    const auto server_cpu = r.server_cpu_s_per_gib();
    fmt::print(
        out,
        "{:<11} {:<10} {:<14} {:<6} {:>9}  {:<22} {:>6.2f} {:>8.3f}  {:>9.0f}  {:<20} {:>6}  "
        "{:>15}  {:>6}  {}\n",
        r.mode, r.client_name(), r.loop, codec, format_bytes(r.repeats.front().bytes),
        spread_text(bps, gbit, 2), bps.median / 1e9, r.duration_s().median, r.req_per_s()->median,
        spread_text(cpu, 1, 3), server_cpu ? fmt::format("{:.3f}", server_cpu->median) : "-", lag,
        r.errors, vs_ours_text(r));
  }
  for (const auto& r : runs)
    for (const auto& m : r.error_messages)
      fmt::print(out, "error: {} {} {} {}: {}\n", r.mode, r.client_name(), r.loop, r.codec, m);
}

}  // namespace lb
