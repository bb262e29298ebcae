#include "tools/stream/table.hpp"

#include <fmt/core.h>

#include "tools/options/size.hpp"

namespace lb {
namespace {

constexpr const char* kRow =
    "{:<9} {:<13} {:>9}  {:<20} {:>8}  {:>9}  {:>9}  {:>12}  {:<6} {:>13}  {}\n";

std::string mib_spread(const nlohmann::json& s) {
  if (!s.is_object() || s.value("median", 0.0) <= 0) return "-";
  return fmt::format("{:.0f}", s.value("median", 0.0) / (1 << 20));
}

}  // namespace

void print_stream_table(std::FILE* out, const std::vector<RunResult>& runs,
                        const std::string& header) {
  fmt::print(out, "{}\n", header);
  fmt::print(
      out,
      "MiB/s = 2^20 bytes of file per second, end to end (read, send, receive, hash); "
      "medians [min-max].\nhash and disk: the receiver's SHA-256 and the sender's reads "
      "of the file, MiB/s while busy; CPU s/GiB: each process's CPU time (user + system) per "
      "GiB of file; cache: the file at the start of a run.\n\n");
  fmt::print(out, kRow, "direction", "loop codec", "file", "MiB/s", "seconds", "hash MiB/s",
             "disk MiB/s", "CPU s/GiB c/s", "cache", "RSS KiB c/s", "verdict");
  for (const auto& r : runs) {
    const auto& x = r.summary_extra;
    const std::string verdict =
        r.verified.value_or(false) ? "verified" : fmt::format("FAILED ({} errors)", r.errors);
    std::string cache = "-";
    if (x.contains("cache") && !x["cache"].empty()) cache = x["cache"].front().get<std::string>();
    std::string rss = "-";
    if (x.contains("peak_rss_kib"))
      rss = fmt::format("{}/{}", x["peak_rss_kib"].value("client", 0),
                        x["peak_rss_kib"].value("server", 0));
    if (r.repeats.empty()) {
      fmt::print(out, kRow, r.mode, r.loop + " " + r.codec, format_bytes(r.size_bytes), "-", "-",
                 "-", "-", "-", "-", "-", verdict);
      continue;
    }
    const auto bps = r.bytes_per_s();
    const double mib = 1 << 20;
    const auto server_cpu = r.server_cpu_s_per_gib();
    const std::string cpu =
        fmt::format("{:.2f}/{}", r.cpu_s_per_gib().median,
                    server_cpu ? fmt::format("{:.2f}", server_cpu->median) : std::string("-"));
    fmt::print(out, kRow, r.mode, r.loop + " " + r.codec, format_bytes(r.size_bytes),
               spread_text(bps, 1 / mib), fmt::format("{:.3f}", r.duration_s().median),
               mib_spread(x.value("hash_bytes_per_s", nlohmann::json())),
               mib_spread(x.value("disk_read_bytes_per_s", nlohmann::json())), cpu, cache, rss,
               verdict);
  }
  for (const auto& r : runs)
    for (const auto& m : r.error_messages)
      fmt::print(out, "error: {} {} {}: {}\n", r.mode, r.loop, r.codec, m);
}

}  // namespace lb
