#pragma once
// One measured run of bench echo on one loop: open every connection in
// bounded batches, keep messages going (closed loop: `pipeline` in flight
// per connection; open loop: sent at their intended times at `rate`
// messages/s over all connections), warm up, measure for `duration`, then
// close every connection politely.
//
// Open loop counts each message's latency from its intended send time, as
// wrk2 does, so a stalled server shows in the tail of every message it
// held up, not only in the one per connection that was waiting; the raw
// service time (from the actual send) is kept beside it. A connection
// whose `pipeline` messages are all in flight when a slot falls due sends
// that message as soon as an echo frees it: a late send, counted.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/lag_probe.hpp"
#include "engine/loop.hpp"
#include "engine/loop_barrier.hpp"
#include "engine/statistics/histogram.hpp"
#include "tools/echo/client/connection.hpp"
#include "tools/measure/pacing.hpp"
#include "tools/process/cpu.hpp"

namespace lb {

struct EchoRunSpec {
  EchoTarget target;
  std::size_t connections = 100;
  std::size_t size = 1024;
  std::size_t pipeline = 1;
  Pacing pacing;  // messages/s over all connections; rate 0: closed loop
  std::chrono::nanoseconds warmup{std::chrono::seconds(2)};
  std::chrono::nanoseconds duration{std::chrono::seconds(10)};
  std::chrono::milliseconds timeout{10'000};  // no echo for this long: failed
  std::size_t connect_batch = 100;            // connects in progress at once
  // Messages per connection before it closes politely and a new one opens
  // in its place (a soak's churn); 0: connections stay for the whole run.
  std::uint64_t churn = 0;
  // The server's CPU seconds and resident set (KiB) so far, when the
  // server is ours.
  std::function<std::optional<double>()> server_cpu;
  std::function<std::optional<std::uint64_t>()> server_rss_kib;
  // One of several client loops: the runs meet here before their first
  // connect and again once all their connections are open, so every loop's
  // traffic, warm-up and window start within a turn of each other.
  std::shared_ptr<LoopBarrier> barrier;
};

struct EchoRunResult {
  std::string error;  // empty on success
  double window_s = 0;
  std::uint64_t messages = 0;  // echoes of messages sent in the window
  // Open loop: every echo that came back in the window, a backlog of
  // earlier slots included: what the pair sustained when it fell behind.
  std::uint64_t echoes_in_window = 0;
  Histogram latency_ns;                       // from the intended send (closed loop: the send)
  Histogram service_ns;                       // from the actual send
  Histogram connect_ns;                       // connect (+ TLS + Upgrade) of each connection
  double open_s = 0;                          // first connect to the last one open
  SlotCount slots;                            // open loop: slots due in the window, late ones
  std::uint64_t reconnects = 0;               // --churn: replacements opened in the window
  std::vector<std::uint64_t> per_connection;  // echoes in the window, per connection
  CpuTimes cpu;                               // this process, over the window
  std::optional<double> server_cpu_s;         // over the window
  // Resident sets before the first connect and once all were open.
  std::uint64_t rss_before_open_kib = 0, rss_open_kib = 0;
  std::optional<std::uint64_t> server_rss_before_open_kib, server_rss_open_kib;
  Histogram loop_lag_ns;
};

class EchoRun {
 public:
  using Done = std::function<void(const EchoRunResult&)>;
  EchoRun(Loop& loop, EchoRunSpec spec, Done done);
  ~EchoRun();
  EchoRun(const EchoRun&) = delete;
  EchoRun& operator=(const EchoRun&) = delete;
  void start();
  // Ends the run with `error` (another client loop failed).
  void abort(std::string error) { finish(std::move(error)); }
  // Echoed payload bytes so far, for the progress line (any thread).
  std::uint64_t bytes_so_far() const {
    return echoes_.load(std::memory_order_relaxed) * spec_.size;
  }
  // Connections replaced so far (--churn), any thread.
  std::uint64_t reconnects_so_far() const { return reconnects_.load(std::memory_order_relaxed); }

 private:
  struct InFlight {
    Clock::time_point intended, sent;
  };
  struct Connection {
    std::unique_ptr<EchoConnection> connection;
    std::vector<InFlight> ring;  // `pipeline` slots; `count` from `head` in flight
    std::size_t head = 0, count = 0;
    Clock::time_point connect_started{};
    SendSchedule schedule;  // open loop
    Timer slot_timer;
    std::uint64_t window_echoes = 0;
    std::uint64_t sent_on_connection = 0;  // messages sent on this connection (--churn)
    bool open = false;
    bool retiring = false;   // --churn: closing, a replacement follows
    bool replacing = false;  // --churn: the replacement is connecting
    void push(InFlight m) { ring[(head + count++) % ring.size()] = m; }
    InFlight pop() {
      const InFlight m = ring[head];
      head = (head + 1) % ring.size();
      --count;
      return m;
    }
  };

  void meet_then(void (EchoRun::*next)());
  void open_first();
  void open(std::size_t i);
  void on_open(std::size_t i);
  void resume(std::size_t i);
  bool connection_spent(const Connection& c) const {
    return spec_.churn && c.sent_on_connection >= spec_.churn;
  }
  void retire(std::size_t i);
  void replace(std::size_t i);
  void begin_traffic();
  void start_closed_loop();
  void start_warmup();
  void begin_window();
  void end_window();
  void on_echo(std::size_t i);
  void send(std::size_t i, Clock::time_point intended, Clock::time_point now);
  void send_due(std::size_t i, Clock::time_point now, bool late);
  void arm_slot(std::size_t i);
  void check_progress();
  void on_closed(std::size_t i);
  void finish(std::string error);

  Loop& loop_;
  EchoRunSpec spec_;
  Done done_;
  EchoPayload payload_;
  std::vector<Connection> connections_;
  std::size_t next_to_open_ = 0, opened_ = 0, closed_ = 0;
  Clock::time_point first_connect_{}, window_start_{}, window_end_{};
  bool traffic_ = false, in_window_ = false, finished_ = false, at_barrier_ = false;
  std::atomic<std::uint64_t> echoes_{0};  // written by the loop's thread only
  std::atomic<std::uint64_t> reconnects_{0};
  std::uint64_t progress_at_check_ = 0;
  CpuTimes cpu_at_start_;
  std::optional<double> server_cpu_at_start_;
  std::size_t started_ = 0;  // closed loop: connections sending
  Timer phase_timer_, start_timer_, watchdog_;
  LagProbe lag_;
  EchoRunResult result_;
};

}  // namespace lb
