#include "engine/loop.hpp"

#include <system_error>
#include <utility>

namespace lb {

Timer::Timer(Timer&& other) noexcept
    : loop_(std::exchange(other.loop_, nullptr)), id_(std::exchange(other.id_, 0)) {}

Timer& Timer::operator=(Timer&& other) noexcept {
  if (this != &other) {
    cancel();
    loop_ = std::exchange(other.loop_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Timer::cancel() {
  if (loop_) loop_->timers_.cancel(id_);
  loop_ = nullptr;
}

bool Timer::pending() const {
  return loop_ && loop_->timers_.pending(id_);
}

Loop::Loop(const BackendFactory& make_backend) : backend_(make_backend(*this)) {}

// Callbacks still queued may own handles; release them while the backend is
// alive so their close() calls find it.
Loop::~Loop() {
  deferred_.clear();
  {
    std::lock_guard lock(posted_mutex_);
    posted_.clear();
  }
  timers_ = TimerQueue{};
  // A handle closed in the last turn may still wait for the backend
  // (libuv's close callback, io_uring's cancelled operations): a few I/O
  // turns (100 ms at most) let those finish before what is left counts as
  // a leak.
  for (int turn = 0; turn < 100 && backend_->live_handles() > 0; ++turn)
    backend_->run_once(std::chrono::milliseconds(1));
  handles_left_ += backend_->live_handles();
  backend_.reset();
}

std::atomic<std::size_t> Loop::handles_left_{0};

void Loop::defer(std::function<void()> fn) {
  deferred_.push_back(std::move(fn));
}

void Loop::post(std::function<void()> fn) {
  bool was_empty = false;
  {
    std::lock_guard lock(posted_mutex_);
    was_empty = posted_.empty();
    posted_.push_back(std::move(fn));
  }
  if (was_empty) backend_->wake();
}

void Loop::stop_from_any_thread() {
  post([this] { stopped_ = true; });
}

Timer Loop::start_timer(std::chrono::nanoseconds delay, std::function<void()> cb) {
  return Timer(this, timers_.add(Clock::now() + delay, std::move(cb)));
}

Listener Loop::listen(const Endpoint& at, const ListenOptions& options, AcceptCallback cb,
                      std::error_code& ec) {
  auto impl = backend_->listen(at, options, std::move(cb), ec);
  return ec ? Listener{} : Listener(std::move(impl));
}

Listener listen_or_throw(Loop& loop, const Endpoint& at, const ListenOptions& options,
                         AcceptCallback on_accept) {
  std::error_code ec;
  Listener listener = loop.listen(at, options, std::move(on_accept), ec);
  if (ec) throw std::system_error(ec, "cannot listen on " + at.to_string());
  return listener;
}

Watch Loop::watch(SocketHandle fd, unsigned interest, WatchCallback cb) {
  return Watch(backend_->watch(fd, interest, std::move(cb)));
}

void Loop::run_deferred() {
  // Work deferred by these callbacks waits for the next turn.
  auto batch = std::move(deferred_);
  deferred_.clear();
  for (auto& fn : batch)
    fn();
}

void Loop::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(posted_);
  }
  for (auto& fn : batch)
    fn();
}

std::optional<std::chrono::nanoseconds> Loop::wait_timeout() {
  if (stopped_ || !deferred_.empty()) return std::chrono::nanoseconds::zero();
  {
    std::lock_guard lock(posted_mutex_);
    if (!posted_.empty()) return std::chrono::nanoseconds::zero();
  }
  const auto next = timers_.next_deadline();
  if (!next) return std::nullopt;
  return std::max(std::chrono::nanoseconds::zero(), *next - Clock::now());
}

// Waiting comes first and everything it made due runs before returning, so a
// caller checking state after run_once() sees the effects of this turn.
void Loop::run_once() {
  budget_.reset();
  backend_->run_once(wait_timeout());
  run_posted();
  run_timers();
  run_deferred();
}

void Loop::run_nowait() {
  budget_.reset();
  backend_->run_once(std::chrono::nanoseconds::zero());
  run_posted();
  run_timers();
  run_deferred();
}

// Due timers get a budget of their own after the turn's I/O: 10,000
// sessions each flushing from a 0 ms timer ran 200 ms of writes in one
// turn. What is left stays due, so the next wait returns at once.
void Loop::run_timers() {
  TurnBudget timers;
  timers_.run_due(Clock::now(), [&timers] { return timers.spent(); });
}

std::atomic<bool> Loop::interrupted_{false};

void Loop::interrupt_all() {
  interrupted_.store(true, std::memory_order_relaxed);
}

void Loop::run() {
  while (!stopped_ && !interrupted())
    run_once();
  stopped_ = false;
}

}  // namespace lb
