#include "tools/echo/client/run.hpp"
#include "tools/process/this_process.hpp"

#include <algorithm>

namespace lb {

EchoRun::EchoRun(Loop& loop, EchoRunSpec spec, Done done)
    : loop_(loop),
      spec_(std::move(spec)),
      done_(std::move(done)),
      payload_(spec_.size),
      connections_(spec_.connections),
      lag_(loop) {
  for (auto& c : connections_)
    c.ring.resize(spec_.pipeline);
}

EchoRun::~EchoRun() = default;

void EchoRun::start() {
  release_free_memory();
  if (auto m = memory_of(this_pid())) result_.rss_before_open_kib = m->rss;
  if (spec_.server_rss_kib) result_.server_rss_before_open_kib = spec_.server_rss_kib();
  watchdog_ = loop_.start_timer(spec_.timeout, [this] { check_progress(); });
  meet_then(&EchoRun::open_first);
}

// With several client loops, each waits here for the others; alone, it
// goes straight on.
void EchoRun::meet_then(void (EchoRun::*next)()) {
  if (!spec_.barrier) return (this->*next)();
  at_barrier_ = true;
  spec_.barrier->arrive(loop_, [this, next] {
    at_barrier_ = false;
    if (!finished_) (this->*next)();
  });
}

void EchoRun::open_first() {
  first_connect_ = Clock::now();
  const std::size_t batch = std::min(spec_.connect_batch, connections_.size());
  while (next_to_open_ < batch)
    open(next_to_open_++);
}

void EchoRun::open(std::size_t i) {
  Connection& c = connections_[i];
  c.connect_started = Clock::now();
  c.sent_on_connection = 0;
  c.connection = make_echo_connection(loop_, spec_.target, payload_,
                                      EchoConnection::Handlers{
                                          [this, i] { on_open(i); },
                                          [this, i] { on_echo(i); },
                                          [this](std::string error) { finish(std::move(error)); },
                                          [this, i] { on_closed(i); },
                                      });
  c.connection->start();
}

void EchoRun::on_open(std::size_t i) {
  if (finished_) return;
  Connection& c = connections_[i];
  c.open = true;
  result_.connect_ns.record(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c.connect_started)
          .count()));
  if (c.replacing) return resume(i);
  if (next_to_open_ < connections_.size()) open(next_to_open_++);
  if (++opened_ < connections_.size()) return;
  meet_then(&EchoRun::begin_traffic);
}

// --churn: a connection that sent its share closes once its echoes are
// back, and a new one opens in its place and takes over its traffic.
void EchoRun::retire(std::size_t i) {
  Connection& c = connections_[i];
  c.open = false;
  c.retiring = true;
  c.slot_timer.cancel();
  c.connection->close();
}

void EchoRun::replace(std::size_t i) {
  Connection& c = connections_[i];
  c.retiring = false;
  c.replacing = true;
  // The old connection goes on the next turn, not inside its own handler.
  loop_.defer([old = std::shared_ptr<EchoConnection>(std::move(c.connection))] {});
  open(i);
}

void EchoRun::resume(std::size_t i) {
  Connection& c = connections_[i];
  c.replacing = false;
  if (!traffic_) return c.connection->close();  // the window ended while it connected
  if (in_window_) ++result_.reconnects;
  reconnects_.store(reconnects_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  const auto now = Clock::now();
  if (!spec_.pacing.open()) {
    for (std::size_t p = 0; p < spec_.pipeline && !connection_spent(c); ++p)
      send(i, now, now);
    return;
  }
  // Slots that fell due while it connected go out now, late.
  send_due(i, now, true);
  arm_slot(i);
}

void EchoRun::begin_traffic() {
  const auto now = Clock::now();
  result_.open_s = std::chrono::duration<double>(now - first_connect_).count();
  if (auto m = memory_of(this_pid())) result_.rss_open_kib = m->rss;
  if (spec_.server_rss_kib) result_.server_rss_open_kib = spec_.server_rss_kib();
  traffic_ = true;
  lag_.start();
  if (!spec_.pacing.open()) return start_closed_loop();
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    connections_[i].schedule = SendSchedule(spec_.pacing, i, connections_.size(), now);
    arm_slot(i);
  }
  start_warmup();
}

void EchoRun::start_warmup() {
  phase_timer_ = loop_.start_timer(spec_.warmup, [this] { begin_window(); });
}

// Each connection's first `pipeline` messages, about a budget's worth of
// sends a turn (thousands of connections starting in one callback would
// hold the loop for many turns' worth); its own budget, since the echoes of
// those already started spend the turn's. The warm-up starts once every
// connection sends.
void EchoRun::start_closed_loop() {
  TurnBudget budget;
  for (; started_ < connections_.size(); ++started_) {
    if (budget.spent()) {
      start_timer_ =
          loop_.start_timer(std::chrono::nanoseconds::zero(), [this] { start_closed_loop(); });
      return;
    }
    const auto now = Clock::now();
    for (std::size_t p = 0;
         p < spec_.pipeline && traffic_ && !connection_spent(connections_[started_]); ++p)
      send(started_, now, now);
  }
  start_warmup();
}

void EchoRun::begin_window() {
  window_start_ = Clock::now();
  in_window_ = true;
  for (auto& c : connections_)
    c.window_echoes = 0;
  cpu_at_start_ = process_cpu_times();
  if (spec_.server_cpu) server_cpu_at_start_ = spec_.server_cpu();
  phase_timer_ = loop_.start_timer(spec_.duration, [this] { end_window(); });
}

void EchoRun::end_window() {
  window_end_ = Clock::now();
  in_window_ = false;
  traffic_ = false;
  start_timer_.cancel();
  result_.cpu = process_cpu_times() - cpu_at_start_;
  if (spec_.server_cpu && server_cpu_at_start_)
    if (auto now = spec_.server_cpu()) result_.server_cpu_s = *now - *server_cpu_at_start_;
  result_.window_s = std::chrono::duration<double>(window_end_ - window_start_).count();
  lag_.stop();
  result_.loop_lag_ns = lag_.lag_ns();
  for (auto& c : connections_) {
    result_.per_connection.push_back(c.window_echoes);
    c.slot_timer.cancel();
    if (spec_.pacing.open()) result_.slots.count_unsent(c.schedule, window_start_, window_end_);
  }
  // Echoes still in flight come back before each server's end of stream.
  // A replacement still connecting closes once it is open (resume).
  for (auto& c : connections_)
    if (!c.replacing) c.connection->close();
}

void EchoRun::send(std::size_t i, Clock::time_point intended, Clock::time_point now) {
  Connection& c = connections_[i];
  c.push({intended, now});
  ++c.sent_on_connection;
  c.connection->send();
}

// Open loop: every slot that fell due goes out while the pipeline has room.
void EchoRun::send_due(std::size_t i, Clock::time_point now, bool late) {
  Connection& c = connections_[i];
  while (traffic_ && c.open && !connection_spent(c) && c.schedule.due() <= now &&
         c.count < spec_.pipeline) {
    const auto intended = c.schedule.take();
    if (in_window_ && intended >= window_start_) result_.slots.count(late);
    send(i, intended, now);
  }
}

void EchoRun::arm_slot(std::size_t i) {
  Connection& c = connections_[i];
  // An echo (or the replacement of a spent connection) will send the next.
  if (!traffic_ || !c.open || connection_spent(c) || c.count >= spec_.pipeline) return;
  c.slot_timer = loop_.start_timer(c.schedule.due() - Clock::now(), [this, i] {
    send_due(i, Clock::now(), false);
    arm_slot(i);
  });
}

void EchoRun::on_echo(std::size_t i) {
  if (finished_) return;
  Connection& c = connections_[i];
  const auto now = Clock::now();
  const InFlight m = c.pop();
  echoes_.store(echoes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  // Open loop counts the echoes of the window's own slots: a backlog of
  // warm-up slots sent late would otherwise count above the asked rate.
  const bool counted = in_window_ && (!spec_.pacing.open() || m.intended >= window_start_);
  if (in_window_) ++result_.echoes_in_window;
  if (counted) {
    ++c.window_echoes;
    ++result_.messages;
    result_.latency_ns.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - m.intended).count()));
    result_.service_ns.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - m.sent).count()));
  }
  if (!traffic_) return;
  if (connection_spent(c)) {
    if (c.count == 0) retire(i);
    return;
  }
  if (!spec_.pacing.open()) return send(i, now, now);
  // A slot that fell due while the pipeline was full goes out now, late.
  if (c.schedule.due() <= now) send_due(i, now, true);
  if (!c.slot_timer.pending()) arm_slot(i);
}

// Something moves in every phase: connections open, echoes come back,
// connections close.
void EchoRun::check_progress() {
  if (finished_) return;
  const std::uint64_t progress = opened_ + echoes_ + closed_;
  // Waiting for the other loops is not a stall of ours: theirs have
  // watchdogs, and a loop that fails aborts the others.
  if (progress == progress_at_check_ && !at_barrier_) {
    const std::string waited = std::to_string(spec_.timeout.count()) + " ms";
    if (opened_ < connections_.size())
      return finish(std::to_string(opened_) + " of " + std::to_string(connections_.size()) +
                    " connections open, none more for " + waited);
    // Messages still out after the window are echoes the server owes, not
    // closes: say which the run waits for.
    const auto awaiting = static_cast<std::size_t>(
        std::count_if(connections_.begin(), connections_.end(),
                      [](const Connection& c) { return c.open && c.count > 0; }));
    if (echoes_ == 0)
      return finish("nothing was echoed: " + std::to_string(opened_) +
                    " connections open, no echo within " + waited + " (--timeout)");
    if (traffic_) return finish("no echo for " + waited);
    if (awaiting)
      return finish(std::to_string(awaiting) + " connections still wait for an echo after " +
                    waited);
    return finish(std::to_string(connections_.size() - closed_) +
                  " connections not closed by the server after " + waited);
  }
  progress_at_check_ = progress;
  watchdog_ = loop_.start_timer(spec_.timeout, [this] { check_progress(); });
}

void EchoRun::on_closed(std::size_t i) {
  Connection& c = connections_[i];
  if (c.retiring && traffic_) return replace(i);
  c.retiring = false;  // closed after the window: its slot's last close
  if (++closed_ == connections_.size()) finish({});
}

// Connections are released with the run, never from inside their own handlers.
void EchoRun::finish(std::string error) {
  if (finished_) return;
  finished_ = true;
  traffic_ = false;
  phase_timer_.cancel();
  start_timer_.cancel();
  watchdog_.cancel();
  lag_.stop();
  for (auto& c : connections_)
    c.slot_timer.cancel();
  result_.error = std::move(error);
  done_(result_);
}

}  // namespace lb
