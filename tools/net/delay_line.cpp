#include "tools/net/delay_line.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <random>
#include <stdexcept>
#include <vector>

#include "engine/unique_fd.hpp"

namespace lb::net {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kFrameBytes = 2048;    // one MTU of 1500 and its header, rounded up
constexpr std::size_t kMaxQueued = 1 << 16;  // frames held at once: 128 MiB
constexpr int kBatch = 64;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("delay line: " + what + ": " + std::strerror(errno));
}

// A raw socket that sees only `ifname`'s frames, not the ones it sends.
UniqueFd packet_socket(const std::string& ifname) {
  // Protocol 0 until bound: no frame of another interface queues up before.
  UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) fail("socket(AF_PACKET)");
  sockaddr_ll at{};
  at.sll_family = AF_PACKET;
  at.sll_protocol = htons(ETH_P_ALL);
  at.sll_ifindex = static_cast<int>(::if_nametoindex(ifname.c_str()));
  if (at.sll_ifindex == 0) fail("no interface " + ifname);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) fail("bind " + ifname);
  const int one = 1;
  if (::setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0)
    fail("PACKET_IGNORE_OUTGOING");
  // Each frame's delay runs from when the kernel took it in, however late
  // this process reads it: frames read in one batch keep their spacing.
  const int on = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
    fail("SO_TIMESTAMPNS");
  const int buffer = 16 << 20;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof buffer);
  return fd;
}

struct Frame {
  Clock::time_point due;
  std::uint32_t slot;
  std::uint16_t length;
};

class Line {
 public:
  // The pool starts with frames enough for 16 MiB in flight, touched, so
  // that the first burst does not wait on page faults (they held frames up
  // by milliseconds).
  explicit Line(const DelayLineConfig& c) : config_(c), random_(c.seed) {
    constexpr std::uint32_t kPrepared = 8192;
    for (std::uint32_t i = 0; i < kPrepared; ++i) {
      pool_.emplace_back().fill(0);
      free_.push_back(kPrepared - 1 - i);
    }
  }

  struct Direction {
    int in = -1;
    int out = -1;
    std::deque<Frame> queue;
    Clock::time_point last_due{};
  };

  void receive(Direction& d, DelayLineStats& stats) {
    for (;;) {
      std::array<mmsghdr, kBatch> headers{};
      std::array<iovec, kBatch> iov{};
      std::array<std::uint32_t, kBatch> slots{};
      for (int i = 0; i < kBatch; ++i) {
        slots[i] = take_slot();
        iov[i] = {buffer(slots[i]), kFrameBytes};
        headers[i].msg_hdr.msg_iov = &iov[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        headers[i].msg_hdr.msg_control = control_[i].bytes;
        headers[i].msg_hdr.msg_controllen = sizeof control_[i].bytes;
      }
      const int n = ::recvmmsg(d.in, headers.data(), kBatch, MSG_DONTWAIT | MSG_TRUNC, nullptr);
      const auto now = Clock::now();
      // The kernel stamps CLOCK_REALTIME; due times are steady.
      timespec real{};
      ::clock_gettime(CLOCK_REALTIME, &real);
      for (int i = 0; i < kBatch; ++i) {
        const bool got = i < n;
        if (got && headers[i].msg_len > kFrameBytes) {
          ++stats.oversize;
        } else if (got && config_.loss > 0 && chance_(random_) < config_.loss) {
          ++stats.lost;
        } else if (got && queued_ >= kMaxQueued) {
          ++stats.overflow;
        } else if (got) {
          const auto taken_in = now - (to_ns(real) - stamp_ns(headers[i].msg_hdr, to_ns(real)));
          auto due = taken_in + delay();
          due = std::max(due, d.last_due);  // jitter never reorders
          d.last_due = due;
          d.queue.push_back({due, slots[i], static_cast<std::uint16_t>(headers[i].msg_len)});
          ++queued_;
          continue;
        }
        free_.push_back(slots[i]);
      }
      if (n < kBatch) return;
    }
  }

  void send_due(Direction& d, Clock::time_point now, DelayLineStats& stats) {
    while (!d.queue.empty() && d.queue.front().due <= now) {
      std::array<mmsghdr, kBatch> headers{};
      std::array<iovec, kBatch> iov{};
      int count = 0;
      for (auto it = d.queue.begin(); it != d.queue.end() && it->due <= now && count < kBatch;
           ++it, ++count) {
        iov[count] = {buffer(it->slot), it->length};
        headers[count].msg_hdr.msg_iov = &iov[count];
        headers[count].msg_hdr.msg_iovlen = 1;
      }
      int sent = ::sendmmsg(d.out, headers.data(), static_cast<unsigned>(count), MSG_DONTWAIT);
      if (sent <= 0) {
        // The interface refused the first frame: dropped, as a full link would.
        ++stats.overflow;
        sent = 1;
      } else {
        for (int i = 0; i < sent; ++i) {
          ++stats.frames;
          stats.bytes += d.queue[static_cast<std::size_t>(i)].length;
        }
      }
      for (int i = 0; i < sent; ++i) {
        free_.push_back(d.queue.front().slot);
        d.queue.pop_front();
        --queued_;
      }
    }
  }

 private:
  std::chrono::nanoseconds delay() {
    double ms = config_.delay_ms;
    if (config_.jitter_ms > 0) ms += (chance_(random_) - 0.5) * config_.jitter_ms;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(std::max(ms, 0.0) * 1e6));
  }
  std::uint32_t take_slot() {
    if (free_.empty()) {
      free_.push_back(static_cast<std::uint32_t>(pool_.size()));
      pool_.emplace_back();
    }
    const auto slot = free_.back();
    free_.pop_back();
    return slot;
  }
  std::uint8_t* buffer(std::uint32_t slot) { return pool_[slot].data(); }

  static std::chrono::nanoseconds to_ns(const timespec& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
  }
  // The frame's kernel timestamp, or `otherwise` when it has none.
  static std::chrono::nanoseconds stamp_ns(msghdr& m, std::chrono::nanoseconds otherwise) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
      timespec t{};
      std::memcpy(&t, CMSG_DATA(c), sizeof t);
      return std::min(to_ns(t), otherwise);
    }
    return otherwise;
  }

  DelayLineConfig config_;
  struct alignas(cmsghdr) Control {
    char bytes[CMSG_SPACE(sizeof(timespec))];
  };
  std::array<Control, kBatch> control_{};
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> chance_{0.0, 1.0};
  std::deque<std::array<std::uint8_t, kFrameBytes>> pool_;
  std::vector<std::uint32_t> free_;
  std::size_t queued_ = 0;  // frames held, both directions
};

}  // namespace

DelayLineStats run_delay_line(const std::string& a, const std::string& b,
                              const DelayLineConfig& config, int stop_fd) {
  ::prctl(PR_SET_TIMERSLACK, 1);  // wake within a microsecond of a frame's due time
  UniqueFd fd_a = packet_socket(a);
  UniqueFd fd_b = packet_socket(b);
  // Three descriptors: ppoll, which also waits to the nanosecond. (The
  // delay line is a tool of its own, not one of the loops being measured.)
  std::array<pollfd, 3> fds{
      {{fd_a.get(), POLLIN, 0}, {fd_b.get(), POLLIN, 0}, {stop_fd, POLLIN, 0}}};
  Line line(config);
  Line::Direction ab{fd_a.get(), fd_b.get(), {}, {}};
  Line::Direction ba{fd_b.get(), fd_a.get(), {}, {}};
  DelayLineStats stats;
  for (;;) {
    timespec wait{};
    timespec* timeout = nullptr;
    Clock::time_point next = Clock::time_point::max();
    for (auto* d : {&ab, &ba})
      if (!d->queue.empty()) next = std::min(next, d->queue.front().due);
    if (next != Clock::time_point::max()) {
      const auto ns = std::max<std::int64_t>(
          0, std::chrono::duration_cast<std::chrono::nanoseconds>(next - Clock::now()).count());
      wait = {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
      timeout = &wait;
    }
    const int n = ::ppoll(fds.data(), fds.size(), timeout, nullptr);
    if (n < 0 && errno != EINTR) fail("ppoll");
    if (n > 0 && fds[2].revents) return stats;
    for (int i = 0; n > 0 && i < 2; ++i) {
      if (!fds[static_cast<std::size_t>(i)].revents) continue;
      auto& d = i == 0 ? ab : ba;
      line.receive(d, stats);
    }
    const auto now = Clock::now();
    line.send_due(ab, now, stats);
    line.send_due(ba, now, stats);
  }
}

}  // namespace lb::net
