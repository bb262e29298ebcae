#include "backends/twin/twin_backend.hpp"

#include <time.h>

#include <utility>

namespace lb {
namespace {

std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// The cost of one thread_cpu_time() call (a system call, about 0.4 us in
// a VM), which the slowed twin pays once per turn and the loop it copies
// does not: it is taken out of the CPU to burn.
std::chrono::nanoseconds clock_read_cost() {
  constexpr int kReads = 256;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kReads; ++i)
    thread_cpu_time();
  return (std::chrono::steady_clock::now() - start) / kReads;
}

class TwinBackend final : public Backend {
 public:
  TwinBackend(std::unique_ptr<Backend> inner, std::string name, double slowdown)
      : inner_(std::move(inner)), name_(std::move(name)), burn_per_cpu_(slowdown / (1 - slowdown)) {
    if (burn_per_cpu_ == 0) return;
    read_cost_ = clock_read_cost();
    last_cpu_ = thread_cpu_time();
  }

  std::string_view name() const override { return name_; }

  // A throughput that CPU bounds drops by `slowdown` when the thread takes
  // 1 / (1 - slowdown) of the CPU time its work took. A turn can be a few
  // microseconds, so the CPU clock is read only after 50 us have passed:
  // the work since the last read is the CPU used less what was burned and
  // the read itself, and the burn spins on the cheap monotonic clock,
  // carrying what it over- or undershoots to the next.
  void run_once(std::optional<std::chrono::nanoseconds> timeout) override {
    inner_->run_once(timeout);
    if (burn_per_cpu_ == 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_read_ < std::chrono::microseconds(50)) return;
    const auto cpu = thread_cpu_time();
    const auto work = cpu - last_cpu_ - burned_ - read_cost_;
    last_cpu_ = cpu;
    debt_ +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(work * burn_per_cpu_) - read_cost_;
    burned_ = {};
    const auto start = std::chrono::steady_clock::now();
    now = start;
    while (now - start < debt_)
      now = std::chrono::steady_clock::now();
    burned_ = now - start;
    debt_ -= burned_;
    last_read_ = now;
  }

  void wake() override { inner_->wake(); }
  void connect(const Endpoint& to, ConnectCallback cb) override {
    inner_->connect(to, std::move(cb));
  }
  std::shared_ptr<ListenerImpl> listen(const Endpoint& at, const ListenOptions& options,
                                       AcceptCallback cb, std::error_code& ec) override {
    return inner_->listen(at, options, std::move(cb), ec);
  }
  std::shared_ptr<WatchImpl> watch(SocketHandle fd, unsigned interest, WatchCallback cb) override {
    return inner_->watch(fd, interest, std::move(cb));
  }
  std::size_t live_handles() const override { return inner_->live_handles(); }

 private:
  std::unique_ptr<Backend> inner_;
  std::string name_;
  double burn_per_cpu_;
  std::chrono::nanoseconds read_cost_{}, last_cpu_{}, burned_{}, debt_{};
  std::chrono::steady_clock::time_point last_read_ = std::chrono::steady_clock::now();
};

}  // namespace

std::unique_ptr<Backend> make_twin_backend(std::unique_ptr<Backend> inner, std::string name,
                                           double slowdown) {
  return std::make_unique<TwinBackend>(std::move(inner), std::move(name), slowdown);
}

}  // namespace lb
