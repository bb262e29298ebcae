#include "tools/http/table.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "tools/peers/runner.hpp"

namespace lb {
namespace {

// Open loop: the asked rate, the late slots and the service time's p99
// (from each request's actual send).
std::string open_loop_columns(const RunResult& r) {
  const auto& e = r.summary_extra;
  if (!e.contains("rate")) return "";
  return fmt::format("  {:>9.0f} {:>8} {:>8.0f}", e["rate"].value("asked", 0.0),
                     e["rate"].value("late", std::uint64_t{0}),
                     e["service_latency_us"].value("p99", 0.0));
}

// The mode with the HTTP version when it is not 1.1: "async h2". The
// version is the one responses came over (summary http_versions), so a
// row never names a version the wire did not carry; "h1.1+h2" when both
// did. A row with no response (or a peer that cannot tell) shows the one
// asked.
std::string mode_label(const RunResult& r) {
  std::string versions;
  if (const auto it = r.summary_extra.find("http_versions"); it != r.summary_extra.end())
    for (const auto& [name, count] : it->items())
      versions += (versions.empty() ? "" : "+") + ("h" + name);
  if (versions.empty()) versions = "h" + r.params.value("http_version", std::string("1.1"));
  return versions == "h1.1" ? r.mode : r.mode + " " + versions;
}

}  // namespace

void print_http_table(std::FILE* out, const std::vector<RunResult>& runs,
                      const std::string& header) {
  const bool open = std::any_of(runs.begin(), runs.end(), [](const RunResult& r) {
    return r.summary_extra.contains("rate");
  });
  fmt::print(out, "{}\n", header);
  fmt::print(out,
             "Durations are for all requests of a repeat: median [min-max]; req/s and MB/s "
             "(10^6 B/s of body) are medians; latency is per request over all repeats; CPU is "
             "the client process's user+sys per request; conns are connections opened. "
             "\"vs ours\": a peer's req/s over our client's of the same mode and size, round by "
             "round (ratio [95 % interval] verdict; ours on the reference loop).{}\n\n",
             open ? " Open loop: latency from each request's intended send time; late: slots "
                    "that fell due while their transfer was busy; svc p99: from the actual send."
                  : "");
  fmt::print(
      out, "{:<10} {:<10} {:<14} {:>5} {:>6}  {:<26} {:>9} {:>8}  {:<30} {:>8} {:>6} {:>6}  {}{}\n",
      "mode", "client", "loop", "size", "reqs", "seconds", "req/s", "MB/s",
      "latency us p50/p90/p99/max", "CPU us", "conns", "errors", "vs ours",
      open ? fmt::format("  {:>9} {:>8} {:>8}", "asked/s", "late", "svc p99") : "");
  for (const auto& r : runs) {
    // A run for a time (--duration) has no count asked: the median answered.
    const auto asked = r.params.find("requests");
    std::string requests = asked != r.params.end() && asked->is_number()
                               ? std::to_string(asked->get<long long>())
                               : "-";
    if (requests == "-" && !r.repeats.empty()) {
      std::vector<double> answered;
      for (const auto& rep : r.repeats)
        answered.push_back(static_cast<double>(rep.requests));
      requests = fmt::format("{:.0f}", spread_of(answered).median);
    }
    const std::string conns = r.connections_known ? std::to_string(r.connections) : "-";
    if (r.peer_status == "not installed") {
      fmt::print(out, "{:<10} {:<10} {:<14} {:>5} {:>6}  not installed: {}\n", mode_label(r),
                 r.client_name(), r.loop, r.params.value("size", ""), requests, r.peer_note);
      continue;
    }
    if (r.repeats.empty()) {
      fmt::print(out,
                 "{:<10} {:<10} {:<14} {:>5} {:>6}  {:<26} {:>9} {:>8}  {:<30} {:>8} {:>6} {:>6}\n",
                 mode_label(r), r.client_name(), r.loop, r.params.value("size", ""), requests,
                 r.peer_status == "failed" ? "failed" : "-", "-", "-", "-", "-", conns, r.errors);
      continue;
    }
    const auto d = r.duration_s();
    const auto& h = *r.latency_ns;
    const std::string latency =
        fmt::format("{:.0f}/{:.0f}/{:.0f}/{:.0f}", h.percentile(0.5) / 1e3, h.percentile(0.9) / 1e3,
                    h.percentile(0.99) / 1e3, h.max() / 1e3);
    fmt::print(
        out,
        "{:<10} {:<10} {:<14} {:>5} {:>6}  {:<26} {:>9.0f} {:>8.1f}  {:<30} {:>8.1f} {:>6} {:>6}  "
        "{:<11}{}\n",
        mode_label(r), r.client_name(), r.loop, r.params.value("size", ""), requests,
        spread_text(d, 1, 4), r.req_per_s()->median, r.bytes_per_s().median / 1e6, latency,
        r.cpu_us_per_req()->median, conns, r.errors, vs_ours_text(r), open_loop_columns(r));
  }
  for (const auto& r : runs)
    for (const auto& m : r.error_messages)
      fmt::print(out, "error: {} {} {}: {}\n", mode_label(r), r.client_name(), r.loop, m);
}

void write_http_csv(const std::string& path, const std::vector<RunResult>& runs) {
  std::ostringstream out;
  out << "name,size,duration,mode,loop,requests,req_per_s,cpu_us_per_req,errors\n";
  for (const auto& r : runs) {
    std::string name = r.loop == "none" ? r.mode : r.mode + "-" + r.loop;
    if (!r.client.empty()) name = r.client + "-" + name;
    for (const auto& rep : r.repeats) {
      out << fmt::format("{},{},{:.6f},{},{},{},{:.1f},{:.2f},{}\n", name,
                         r.params.value("size", ""), rep.duration_s, r.mode, r.loop, rep.requests,
                         static_cast<double>(rep.requests) / rep.duration_s,
                         (rep.cpu_user_s + rep.cpu_sys_s) * 1e6 / static_cast<double>(rep.requests),
                         r.errors);
    }
  }
  write_output(path, out.str(), "CSV");
}

}  // namespace lb
