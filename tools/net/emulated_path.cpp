#include "tools/net/emulated_path.hpp"

#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "engine/statistics/stats.hpp"
#include "tools/net/namespaces.hpp"
#include "tools/net/probe.hpp"
#include "tools/options/usage_error.hpp"
#include "tools/process/placement.hpp"

namespace lb::net {
namespace {

// Addresses that exist only inside the two namespaces.
constexpr const char* kClientIp = "10.77.0.1";
constexpr const char* kServerIp = "10.77.0.2";
constexpr int kConnectProbes = 11;
constexpr int kRateTrains = 3;  // each way, after one not counted

double steady_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// "/proc/<pid>/fd/<n>": how `ip link ... netns` names a namespace we hold.
std::string fd_path(int fd) {
  return fmt::format("/proc/{}/fd/{}", ::getpid(), fd);
}

// Segmentation and checksum offloads off, so that every frame the delay
// line reads is one MTU with its checksum filled in: it forwards frames,
// and a frame longer than the MTU or with a checksum left to the hardware
// would not survive the trip.
void offloads_off(int ns, const std::string& ifname) {
  in_namespace(ns, [&] {
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    for (std::uint32_t command : {ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO, ETHTOOL_STXCSUM}) {
      ethtool_value value{command, 0};
      ifreq request{};
      std::snprintf(request.ifr_name, IFNAMSIZ, "%s", ifname.c_str());
      request.ifr_data = reinterpret_cast<char*>(&value);
      if (::ioctl(fd.get(), SIOCETHTOOL, &request) != 0)
        throw std::runtime_error("--net: turning offloads off on " + ifname + ": " +
                                 std::strerror(errno));
    }
  });
}

// An end of the path: its address, up, IPv6 off (no router solicitations
// in the measured traffic), offloads off, and tbf at `rate_bps` on egress.
void configure_end(int ns, const std::string& ip, std::uint64_t rate_bps) {
  write_sysctl(ns, "/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
  write_sysctl(ns, "/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
  run_in(ns, {"ip", "link", "set", "lo", "up"});
  run_in(ns, {"ip", "addr", "add", ip + "/24", "dev", "eth0"});
  offloads_off(ns, "eth0");
  run_in(ns, {"ip", "link", "set", "eth0", "up"});
  // A bucket of 1 ms at the rate (at least 16 KiB); packets wait at most
  // 50 ms in the queue.
  const auto burst = std::max<std::uint64_t>(rate_bps / 8 / 1000, 16 << 10);
  run_in(ns, {"tc", "qdisc", "add", "dev", "eth0", "root", "tbf", "rate",
              std::to_string(rate_bps) + "bit", "burst", std::to_string(burst), "latency", "50ms"});
}

}  // namespace

std::unique_ptr<EmulatedPath> emulated_path_for(const std::string& spec, bool builtin_server,
                                                bool peers) {
  if (spec.empty()) return nullptr;
  const Profile profile = parse_profile(spec);
  if (!builtin_server)
    throw UsageError(
        "--net places the built-in server in a network namespace of its own: leave "
        "out --url or --connect");
  if (peers) throw UsageError("--net runs our own clients only: leave out --peers");
  auto lab = std::make_unique<EmulatedPath>(profile);
  const auto& m = lab->measured();
  std::fprintf(stderr,
               "bench: --net %s; measured: connect p50 %.2f ms [%.2f-%.2f], %.0f Mbit/s down, "
               "%.0f Mbit/s up (UDP trains, Ethernet frames)\n",
               profile.describe().c_str(), m.connect_p50_ms, m.connect_min_ms, m.connect_max_ms,
               m.rate_down_bps / 1e6, m.rate_up_bps / 1e6);
  return lab;
}

EmulatedPath::EmulatedPath(const Profile& profile) : profile_(profile) {
  original_ = current_network_namespace();
  client_ = new_network_namespace();
  middle_ = new_network_namespace();
  server_ = new_network_namespace();
  build();
  start_delay_line();
  enter_network_namespace(client_.get());
  measure();
  measured_at_ = steady_s();
  cpu_at_measured_ = delay_line_cpu_s();
}

Placement EmulatedPath::placement() const {
  Placement p;
  p.server_host = kServerIp;
  p.enter_server_side = [fd = server_.get()] { enter_network_namespace(fd); };
  p.record = [this] { return json(); };
  return p;
}

void EmulatedPath::build() {
  for (const auto& [end, ns] :
       {std::pair{"toclient", client_.get()}, std::pair{"toserver", server_.get()}})
    run_in(original_.get(), {"ip", "link", "add", "eth0", "netns", fd_path(ns), "type", "veth",
                             "peer", "name", end, "netns", fd_path(middle_.get())});
  configure_end(client_.get(), kClientIp, profile_.rate_bps);
  configure_end(server_.get(), kServerIp, profile_.rate_bps);
  write_sysctl(middle_.get(), "/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
  write_sysctl(middle_.get(), "/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
  for (const char* end : {"toclient", "toserver"}) {
    offloads_off(middle_.get(), end);
    run_in(middle_.get(), {"ip", "link", "set", end, "up"});
  }
}

void EmulatedPath::start_delay_line() {
  // The stop channel is a socket pair: a byte sent to a delay line that
  // died is an error (MSG_NOSIGNAL), where a pipe would raise SIGPIPE.
  int stop[2], stats[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stop) != 0 ||
      ::pipe2(stats, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("socketpair/pipe: ") + std::strerror(errno));
  UniqueFd stop_read(stop[0]), stats_write(stats[1]);
  stop_write_.reset(stop[1]);
  stats_read_.reset(stats[0]);
  std::fflush(nullptr);
  delay_line_ = ::fork();
  if (delay_line_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (delay_line_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::prctl(PR_SET_NAME, "bench-delayline");  // its name in ps and /proc/PID/comm
    int code = 0;
    try {
      stop_write_.reset();
      enter_network_namespace(middle_.get());
      DelayLineConfig config{profile_.rtt_ms / 2, profile_.jitter_ms / 2, profile_.loss,
                             static_cast<std::uint64_t>(::getpid())};
      const DelayLineStats s = run_delay_line("toclient", "toserver", config, stop_read.get());
      (void)!::write(stats_write.get(), &s, sizeof s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench: %s\n", e.what());
      code = 1;
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  started_ = steady_s();
}

void EmulatedPath::measure() {
  const auto times = connect_times_ms(server_.get(), kServerIp, kConnectProbes);
  auto sorted = times;
  std::sort(sorted.begin(), sorted.end());
  measured_.connect_p50_ms = sorted[sorted.size() / 2];
  measured_.connect_min_ms = sorted.front();
  measured_.connect_max_ms = sorted.back();
  const auto rate = static_cast<double>(profile_.rate_bps);
  // One train each way first, not counted: the first one through comes in
  // lumps. Then the median of three, so one stall of the machine inside a
  // 30 ms train does not set the path's rate (docs/notes/net.md).
  (void)train_rate_bps(server_.get(), client_.get(), kClientIp, rate);
  (void)train_rate_bps(client_.get(), server_.get(), kServerIp, rate);
  std::vector<double> down, up;
  for (int i = 0; i < kRateTrains; ++i) {
    down.push_back(train_rate_bps(server_.get(), client_.get(), kClientIp, rate));
    up.push_back(train_rate_bps(client_.get(), server_.get(), kServerIp, rate));
  }
  measured_.rate_down_bps = spread_of(down).median;
  measured_.rate_up_bps = spread_of(up).median;
}

double EmulatedPath::delay_line_cpu_s() const {
  if (delay_line_ <= 0) return 0;
  std::ifstream in(fmt::format("/proc/{}/stat", delay_line_));
  std::string line;
  std::getline(in, line);
  // utime and stime are fields 14 and 15, counted after the ")" of comm.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i)
    fields >> skip;
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

nlohmann::json EmulatedPath::json() const {
  auto out = profile_.json();
  out["measured"] = {{"connect_p50_ms", measured_.connect_p50_ms},
                     {"connect_min_ms", measured_.connect_min_ms},
                     {"connect_max_ms", measured_.connect_max_ms},
                     {"rate_down_bps", measured_.rate_down_bps},
                     {"rate_up_bps", measured_.rate_up_bps}};
  out["delay_line"] = {{"cpu_s", delay_line_cpu_s() - cpu_at_measured_},
                       {"wall_s", steady_s() - measured_at_}};
  return out;
}

std::string EmulatedPath::stop() {
  if (delay_line_ <= 0) return "";
  const double cpu = delay_line_cpu_s();
  const double wall = steady_s() - started_;
  // A byte, not a close: processes forked since (a server) hold it too.
  (void)::send(stop_write_.get(), "x", 1, MSG_NOSIGNAL);
  DelayLineStats s;
  const bool got = ::read(stats_read_.get(), &s, sizeof s) == sizeof s;
  int status = 0;
  while (::waitpid(delay_line_, &status, 0) < 0 && errno == EINTR) {
  }
  delay_line_ = -1;
  if (WIFSIGNALED(status))
    return fmt::format("the delay line was killed by signal {} midway: the path was cut there",
                       WTERMSIG(status));
  if (!got) return "the delay line failed (see its message above)";
  return fmt::format(
      "delay line: {:.2f} s CPU in {:.1f} s ({:.0f} % of a core); {} frames, {} lost on purpose, "
      "{} dropped full, {} oversize",
      cpu, wall, wall > 0 ? 100 * cpu / wall : 0, s.frames, s.lost, s.overflow, s.oversize);
}

EmulatedPath::~EmulatedPath() {
  if (delay_line_ > 0) {
    const auto said = stop();
    if (!said.empty()) std::fprintf(stderr, "bench: --net %s\n", said.c_str());
  }
  if (original_) (void)::setns(original_.get(), CLONE_NEWNET);
}

}  // namespace lb::net
