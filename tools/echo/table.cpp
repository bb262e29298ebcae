#include "tools/echo/table.hpp"

#include <fmt/core.h>

#include <sstream>
#include <stdexcept>

#include "tools/options/options.hpp"
#include "tools/options/size.hpp"
#include "tools/peers/runner.hpp"

namespace lb {
namespace {

std::string transport_of(const RunResult& r) {
  return r.params.value("transport", std::string("?"));
}

double us(const Histogram& h, double q) {
  return static_cast<double>(q >= 1 ? h.max() : h.percentile(q)) / 1e3;
}

double extra(const RunResult& r, const char* key, const char* field, double otherwise = -1) {
  const auto& e = r.summary_extra;
  if (!e.contains(key)) return otherwise;
  const auto& v = e.at(key);
  if (v.is_object()) return v.contains(field) ? v.at(field).get<double>() : otherwise;
  return v.get<double>();
}

std::string dash_or(double v, const char* format) {
  return v < 0 ? "-" : fmt::format(fmt::runtime(format), v);
}

std::string server_of(const RunResult& r) {
  return r.params.value("server", std::string("builtin"));
}

// A peer server's row: how many times our built-in server's messages/s on
// the same transport, client loop, connections and size this is.
std::string builtin_over(const RunResult& peer, const std::vector<RunResult>& runs) {
  const auto mine = peer.req_per_s();
  if (server_of(peer) == "builtin" || server_of(peer) == "external" || !mine) return "";
  for (const auto& r : runs) {
    if (server_of(r) != "builtin" || !r.client.empty() || transport_of(r) != transport_of(peer) ||
        r.loop != peer.loop || r.size_bytes != peer.size_bytes ||
        r.params.value("connections", 0) != peer.params.value("connections", 0))
      continue;
    if (auto ours = r.req_per_s(); ours && mine->median > 0)
      return fmt::format("ours {:.1f}x (medians)", ours->median / mine->median);
  }
  return "";
}

// "client/server" loop threads; a server not ours has "-".
std::string threads_of(const RunResult& r) {
  const auto& server = r.params.value("server_threads", nlohmann::json());
  return fmt::format("{}/{}", r.params.value("client_threads", 1),
                     server.is_number() ? std::to_string(server.get<int>()) : "-");
}

// An open-loop row whose pair could not keep up: most of the window's slots
// went out late or never, and the row's figures (even an empty row) only
// make sense beside what the pair did echo.
void print_fell_behind(std::FILE* out, const RunResult& r) {
  const double slots = extra(r, "rate", "slots"), late = extra(r, "rate", "late");
  const double echoed = extra(r, "rate", "echoed");
  if (slots <= 0 || late < slots * 0.1 || echoed < 0) return;
  fmt::print(out,
             "note: {} {} {} connections: {:.0f} % of the window's {:.0f} slots went out late or "
             "never; the pair echoed {:.0f}/s of the {:.0f}/s asked, so the rate is above what it "
             "sustains (and latency from the intended send times grows with the run)\n",
             transport_of(r), r.client.empty() ? r.loop : r.client + " " + r.loop,
             r.params.value("connections", std::uint64_t{0}), 100 * late / slots, slots, echoed,
             extra(r, "rate", "asked"));
}

}  // namespace

void print_echo_table(std::FILE* out, const std::vector<RunResult>& runs,
                      const EchoTableContext& c) {
  const std::string server =
      c.target == "builtin"
          ? fmt::format("built-in server (loop {}, {})", c.server_loop, cpu_text(c.server_cpu))
          : "server " + c.target;
  const bool open = !runs.empty() && runs.front().mode == "open";
  fmt::print(out, "bench echo: {}; client {}; {}\n", server, cpu_text(c.client_cpu),
             counted(static_cast<std::uint64_t>(c.repeats), "repeat"));
  fmt::print(
      out,
      "msgs/s: echoes per second in the measured window, medians [min-max] over the "
      "repeats; latency µs over all repeats{}; CPU µs per message (user+sys) of each "
      "process; fair: Jain's index of messages per connection (1 = equal); vs ours: for "
      "another client, its msgs/s over our client's on the reference loop, round by round "
      "(ratio [95 % interval] verdict); for another server, our server's median msgs/s over "
      "its (same client loop; the servers run one after the other, so no interval).\n\n",
      open ? ", from each message's intended send time (service: from the actual send)" : "");
  fmt::print(out,
             "{:<5} {:<15} {:<21} {:<7} {:>6} {:>7} {:>4} {:>5}  {:<24} {:>8}  {:>8} {:>8} {:>8} "
             "{:>8} {:>8}",
             "tport", "server", "client loop", "codec", "conns", "size", "pipe", "thr", "msgs/s",
             "MiB/s", "p50", "p90", "p99", "p99.9", "max");
  if (open) fmt::print(out, "  {:>9} {:>8} {:>8}", "asked/s", "late", "svc p99");
  fmt::print(out, "  {:>7} {:>7}  {:>11}  {:>5}  {:>6}  {}\n", "CPU c", "CPU s", "KiB/conn c/s",
             "fair", "errors", "vs ours");
  for (const auto& r : runs) {
    const auto conns = r.params.value("connections", std::uint64_t{0});
    const auto pipe = r.params.value("pipeline", 0);
    fmt::print(out, "{:<5} {:<15} {:<21} {:<7} {:>6} {:>7} {:>4} {:>5}  ", transport_of(r),
               server_of(r), r.client.empty() ? r.loop : r.client + " " + r.loop,
               r.codec.empty() ? "-" : r.codec, conns, format_bytes(r.size_bytes), pipe,
               threads_of(r));
    const auto rate = r.req_per_s();
    if (!rate || !r.latency_ns || r.latency_ns->count() == 0) {
      fmt::print(
          out, "{:<24} {:>8}  {}\n", "-", "-",
          r.peer_note.empty() ? std::to_string(r.errors) : r.peer_status + ": " + r.peer_note);
      continue;
    }
    const auto& h = *r.latency_ns;
    fmt::print(out, "{:<24} {:>8.1f}  {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f}",
               spread_text(*rate, 1, 0), r.bytes_per_s().median / double(1 << 20), us(h, 0.5),
               us(h, 0.9), us(h, 0.99), us(h, 0.999), us(h, 1));
    if (open) {
      fmt::print(out, "  {:>9.0f} {:>8.0f} {:>8}", extra(r, "rate", "asked"),
                 extra(r, "rate", "late"),
                 dash_or(extra(r, "service_latency_us", "p99"), "{:.0f}"));
    }
    const std::string kib =
        fmt::format("{}/{}", dash_or(extra(r, "rss_kib", "client_per_connection"), "{:.1f}"),
                    dash_or(extra(r, "rss_kib", "server_per_connection"), "{:.1f}"));
    fmt::print(out, "  {:>7.2f} {:>7}  {:>11}  {:>5}  {:>6}  {}\n", r.cpu_us_per_req()->median,
               dash_or(extra(r, "server_cpu_us_per_msg", "median"), "{:.2f}"), kib,
               dash_or(extra(r, "fairness", "jain"), "{:.3f}"), r.errors,
               r.client.empty() ? builtin_over(r, runs) : vs_ours_text(r));
  }
  for (const auto& r : runs)
    print_fell_behind(out, r);
  for (const auto& r : runs)
    for (const auto& m : r.error_messages)
      fmt::print(out, "error: {} {} {} connections: {}\n", transport_of(r), r.loop,
                 r.params.value("connections", std::uint64_t{0}), m);
}

void write_echo_csv(const std::string& path, const std::vector<RunResult>& runs) {
  std::ostringstream out;
  out << "transport,server,loop,codec,connections,size,pipeline,client_threads,server_threads,rate,"
         "msgs_per_s,mib_per_s,p50_us,"
         "p90_us,"
         "p99_us,p999_us,max_us,client_cpu_us_per_msg,server_cpu_us_per_msg,jain,errors\n";
  for (const auto& r : runs) {
    const auto rate = r.req_per_s();
    const bool ok = rate && r.latency_ns;
    const auto server_threads = r.params.value("server_threads", nlohmann::json());
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},", transport_of(r), server_of(r), r.loop,
                       r.codec, r.params.value("connections", std::uint64_t{0}), r.size_bytes,
                       r.params.value("pipeline", 0), r.params.value("client_threads", 1),
                       server_threads.is_number() ? std::to_string(server_threads.get<int>()) : "",
                       r.params.value("rate", 0.0));
    if (ok) {
      const auto& h = *r.latency_ns;
      out << fmt::format("{:.1f},{:.3f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.3f},{},{}",
                         rate->median, r.bytes_per_s().median / double(1 << 20), us(h, 0.5),
                         us(h, 0.9), us(h, 0.99), us(h, 0.999), us(h, 1),
                         r.cpu_us_per_req()->median,
                         dash_or(extra(r, "server_cpu_us_per_msg", "median"), "{:.3f}"),
                         dash_or(extra(r, "fairness", "jain"), "{:.4f}"));
    } else {
      out << ",,,,,,,,,";
    }
    out << "," << r.errors << "\n";
  }
  write_output(path, out.str(), "CSV");
}

}  // namespace lb
