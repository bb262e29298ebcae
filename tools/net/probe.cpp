#include "tools/net/probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "tools/net/namespaces.hpp"

namespace lb::net {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kDatagram = 1400;
constexpr double kDatagramWireBytes = kDatagram + 8 + 20 + 14;  // UDP, IPv4, Ethernet headers

[[noreturn]] void probe_failed(const std::string& what) {
  throw std::runtime_error("--net probe: " + what + ": " + std::strerror(errno));
}

sockaddr_in address(const std::string& ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1)
    throw std::runtime_error("bad address " + ip);
  return a;
}

std::uint16_t bound_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) probe_failed("getsockname");
  return ntohs(a.sin_port);
}

UniqueFd bound_socket(int type, const std::string& ip) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd) probe_failed("socket");
  auto at = address(ip, 0);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) != 0)
    probe_failed("bind " + ip);
  return fd;
}

}  // namespace

std::vector<double> connect_times_ms(int server_ns, const std::string& server_ip, int count) {
  UniqueFd listener = in_namespace(server_ns, [&] {
    UniqueFd fd = bound_socket(SOCK_STREAM, server_ip);
    if (::listen(fd.get(), 256) != 0) probe_failed("listen");
    return fd;
  });
  const auto to = address(server_ip, bound_port(listener.get()));
  std::vector<double> times;
  for (int i = 0; i <= count; ++i) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) probe_failed("socket");
    const auto t0 = Clock::now();
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
      probe_failed("connect to " + server_ip);
    const std::chrono::duration<double, std::milli> took = Clock::now() - t0;
    if (i > 0) times.push_back(took.count());
  }
  return times;
}

double train_rate_bps(int from_ns, int to_ns, const std::string& to_ip, double expected_bps) {
  const int count =
      std::clamp(static_cast<int>(expected_bps * 0.030 / (kDatagramWireBytes * 8)), 300, 20000);
  UniqueFd receiver = in_namespace(to_ns, [&] {
    UniqueFd fd = bound_socket(SOCK_DGRAM, to_ip);
    const int buffer = 64 << 20;
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
    // The kernel's arrival times: ours would be when this thread got to run.
    const int on = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
      probe_failed("SO_TIMESTAMPNS");
    return fd;
  });
  const auto to = address(to_ip, bound_port(receiver.get()));
  UniqueFd sender = in_namespace(from_ns, [&] {
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) probe_failed("socket");
    const int on = 1;  // or a datagram tbf drops is dropped silently
    (void)::setsockopt(fd.get(), IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    return fd;
  });
  std::thread send([&] {
    char payload[kDatagram] = {};
    for (int i = 0; i < count; ++i) {
      // A full tbf queue refuses a datagram (ENOBUFS): wait for it to drain.
      while (::sendto(sender.get(), payload, sizeof payload, 0,
                      reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0 &&
             (errno == ENOBUFS || errno == EAGAIN))
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });
  std::vector<double> arrivals;  // seconds, as the kernel stamped them
  arrivals.reserve(static_cast<std::size_t>(count));
  char buffer[kDatagram];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  pollfd p{receiver.get(), POLLIN, 0};
  // Done when all came, or nothing came for a second (the rest was lost).
  while (static_cast<int>(arrivals.size()) < count && ::poll(&p, 1, 1000) == 1) {
    for (;;) {
      iovec iov{buffer, sizeof buffer};
      msghdr m{};
      m.msg_iov = &iov;
      m.msg_iovlen = 1;
      m.msg_control = control;
      m.msg_controllen = sizeof control;
      if (::recvmsg(receiver.get(), &m, MSG_DONTWAIT) < 0) break;
      for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
        timespec t{};
        std::memcpy(&t, CMSG_DATA(c), sizeof t);
        arrivals.push_back(static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9);
      }
    }
  }
  send.join();
  if (arrivals.size() < 30) return 0;
  // The slope of arrival time over frame number, least squares over the
  // later two thirds: one frame held up (the delay line or this receiver
  // descheduled) moves it little, where first-to-last would swing.
  const std::size_t first = arrivals.size() / 3;
  const auto n = static_cast<double>(arrivals.size() - first);
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = first; i < arrivals.size(); ++i) {
    const auto x = static_cast<double>(i - first);
    const double y = arrivals[i] - arrivals[first];
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  const double seconds_per_frame = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  if (!(seconds_per_frame > 0)) return 0;
  return kDatagramWireBytes * 8 / seconds_per_frame;
}

}  // namespace lb::net
