#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>

namespace lb::test {

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::none:
      return "none";
    case Fault::reset:
      return "reset";
    case Fault::stall:
      return "stall";
    case Fault::half_close:
      return "half-close";
    case Fault::truncate:
      return "truncate";
  }
  return "?";
}

namespace {

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Closes with an RST instead of a FIN.
void close_with_reset(int fd) {
  const linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

}  // namespace

// One relayed connection: fd[0] the client's side, fd[1] the server's;
// flow[up] reads fd[0] and writes fd[1], flow[down] the other way.
struct FaultProxy::Pair {
  struct Flow {
    std::array<char, 64 * 1024> buf;
    std::size_t head = 0, tail = 0;
    std::uint64_t relayed = 0;
    bool eof = false;      // its source ended (or the fault ended it)
    bool shut = false;     // its destination got our FIN
    bool stalled = false;  // nothing more moves this way
    bool discard = false;  // what the source still sends is dropped
  };
  std::size_t index = 0;
  std::array<int, 2> fd{-1, -1};
  std::array<Flow, 2> flow;
  bool planned = false;
  bool connecting = true;
  bool closed = false;

  static int source(Direction d) { return d == Direction::up ? 0 : 1; }
  static int sink(Direction d) { return d == Direction::up ? 1 : 0; }
  void close(bool reset) {
    if (closed) return;
    for (int f : fd)
      reset ? close_with_reset(f) : static_cast<void>(::close(f));
    closed = true;
  }
};

FaultProxy::FaultProxy(int server_port, FaultPlan plan) : server_port_(server_port), plan_(plan) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(0);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listener_, 512) != 0)
    throw std::runtime_error("fault proxy: cannot listen");
  socklen_t len = sizeof a;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  set_nonblocking(listener_);
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("fault proxy: no pipe");
  thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
  const char byte = 0;
  [[maybe_unused]] auto n = ::write(wake_[1], &byte, 1);
  thread_.join();
  for (auto& p : pairs_)
    p->close(false);
  ::close(listener_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::vector<RelayedBytes> FaultProxy::relayed() const {
  std::lock_guard lock(mutex_);
  return relayed_;
}

std::size_t FaultProxy::open_connections() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& p : pairs_)
    n += p->closed ? 0 : 1;
  return n;
}

void FaultProxy::run() {
  for (;;) {
    std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
    for (auto& p : pairs_) {
      if (p->closed) continue;
      short events[2] = {0, 0};
      if (p->connecting) {
        events[1] = POLLOUT;
      } else {
        for (Direction d : {Direction::up, Direction::down}) {
          const auto& f = p->flow[static_cast<int>(d)];
          if (f.stalled) continue;
          if (f.head < f.tail)
            events[Pair::sink(d)] |= POLLOUT;
          else if (!f.eof || f.discard)
            events[Pair::source(d)] |= POLLIN;
        }
      }
      fds.push_back({p->fd[0], events[0], 0});
      fds.push_back({p->fd[1], events[1], 0});
    }
    ::poll(fds.data(), fds.size(), 100);
    if (fds[0].revents) return;
    if (fds[1].revents) accept_one();
    for (auto& p : pairs_) {
      if (p->closed) continue;
      if (p->connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        pollfd probe{p->fd[1], POLLOUT, 0};
        if (::poll(&probe, 1, 0) == 0) continue;
        ::getsockopt(p->fd[1], SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          std::lock_guard lock(mutex_);
          p->close(true);
          continue;
        }
        p->connecting = false;
      }
      pump(*p, Direction::up);
      pump(*p, Direction::down);
      auto& up = p->flow[0];
      auto& down = p->flow[1];
      const auto done = [](const Pair::Flow& f) { return f.eof && f.shut && !f.discard; };
      const bool up_done = done(up), down_done = done(down);
      // Both ways ended; or one way stalled and the other ended, the peer
      // gave up.
      if ((up_done && down_done) || (up.stalled && down_done) || (down.stalled && up_done)) {
        std::lock_guard lock(mutex_);
        p->close(false);
      }
    }
  }
}

void FaultProxy::accept_one() {
  for (;;) {
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) return;
    const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in a = loopback(server_port_);
    if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
      close_with_reset(client);
      ::close(server);
      continue;
    }
    auto p = std::make_unique<Pair>();
    p->fd = {client, server};
    std::lock_guard lock(mutex_);
    p->index = relayed_.size();
    p->planned = plan_.fault != Fault::none && p->index == plan_.connection;
    relayed_.push_back({});
    pairs_.push_back(std::move(p));
  }
}

void FaultProxy::pump(Pair& p, Direction d) {
  auto& f = p.flow[static_cast<int>(d)];
  const int src = p.fd[Pair::source(d)], dst = p.fd[Pair::sink(d)];
  const bool faulting = p.planned && d == plan_.direction && !fired_;
  while (!p.closed && !f.stalled) {
    if (faulting && !fired_ && f.relayed >= plan_.offset) {
      fire(p);
      continue;
    }
    if (f.head < f.tail) {
      const ssize_t n = ::send(dst, f.buf.data() + f.head, f.tail - f.head, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        std::lock_guard lock(mutex_);
        return p.close(true);
      }
      f.head += static_cast<std::size_t>(n);
      f.relayed += static_cast<std::uint64_t>(n);
      std::lock_guard lock(mutex_);
      auto& r = relayed_[p.index];
      (d == Direction::up ? r.up : r.down) = f.relayed;
      continue;
    }
    f.head = f.tail = 0;
    if (f.eof && !f.discard) {
      if (!f.shut) ::shutdown(dst, SHUT_WR);
      f.shut = true;
      return;
    }
    std::size_t want = f.buf.size();
    if (p.planned && d == plan_.direction && !fired_)
      want = std::min<std::uint64_t>(want, plan_.offset - f.relayed);
    const ssize_t n = ::recv(src, f.buf.data(), want, 0);
    if (n == 0) {
      f.eof = true;
      f.discard = false;
      continue;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      std::lock_guard lock(mutex_);
      return p.close(true);
    }
    if (!f.discard) f.tail = static_cast<std::size_t>(n);
  }
}

void FaultProxy::fire(Pair& p) {
  fired_ = true;
  auto& f = p.flow[static_cast<int>(plan_.direction)];
  switch (plan_.fault) {
    case Fault::none:
      return;
    case Fault::reset: {
      std::lock_guard lock(mutex_);
      return p.close(true);
    }
    case Fault::stall:
      f.stalled = true;
      return;
    case Fault::half_close:
      // As if the sender had shut its side: the receiver gets a FIN, and
      // whatever the sender still writes goes nowhere.
      ::shutdown(p.fd[Pair::sink(plan_.direction)], SHUT_WR);
      f.eof = f.shut = f.discard = true;
      return;
    case Fault::truncate:
      for (auto& each : p.flow)
        each.eof = each.shut = each.discard = true, each.head = each.tail = 0;
      ::shutdown(p.fd[0], SHUT_WR);
      ::shutdown(p.fd[1], SHUT_WR);
      return;
  }
}

}  // namespace lb::test
