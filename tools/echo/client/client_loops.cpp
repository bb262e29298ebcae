#include "tools/echo/client/client_loops.hpp"

#include <algorithm>
#include <latch>
#include <thread>

#include "backends/registry.hpp"

namespace lb {

std::size_t share_of(std::size_t total, std::size_t parts, std::size_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}

EchoClientLoops::EchoClientLoops(Loop& first, const LoopKind& kind, const EchoRunSpec& spec,
                                 std::size_t threads)
    : results_(threads) {
  loops_.push_back(&first);
  for (std::size_t i = 1; i < threads; ++i) {
    own_loops_.push_back(kind.make());
    loops_.push_back(own_loops_.back().get());
  }
  auto barrier = threads > 1 ? std::make_shared<LoopBarrier>(threads) : nullptr;
  for (std::size_t i = 0; i < threads; ++i) {
    EchoRunSpec part = spec;
    part.connections = share_of(spec.connections, threads, i);
    part.pacing.rate = spec.pacing.rate * static_cast<double>(part.connections) /
                       static_cast<double>(spec.connections);
    part.connect_batch = std::max<std::size_t>(1, share_of(spec.connect_batch, threads, i));
    part.barrier = barrier;
    runs_.push_back(std::make_unique<EchoRun>(
        *loops_[i], part, [this, i](const EchoRunResult& r) { on_done(i, r); }));
  }
}

EchoClientLoops::~EchoClientLoops() {
  runs_.clear();
}

std::uint64_t EchoClientLoops::bytes_so_far() const {
  std::uint64_t bytes = 0;
  for (const auto& r : runs_)
    if (r) bytes += r->bytes_so_far();
  return bytes;
}

std::uint64_t EchoClientLoops::reconnects_so_far() const {
  std::uint64_t n = 0;
  for (const auto& r : runs_)
    if (r) n += r->reconnects_so_far();
  return n;
}

void EchoClientLoops::on_done(std::size_t i, const EchoRunResult& r) {
  results_[i] = r;
  loops_[i]->stop();
  if (r.error.empty() || runs_.size() == 1) return;
  const std::string why = "client loop " + std::to_string(i + 1) + " failed: " + r.error;
  for (std::size_t j = 0; j < runs_.size(); ++j)
    if (j != i) loops_[j]->post([this, j, why] { runs_[j]->abort(why); });
}

EchoRunResult EchoClientLoops::run() {
  std::vector<std::thread> threads;
  // Once every loop stopped, none posts to another: each thread then
  // closes its run's connections and drains its loop itself, since an
  // io_uring loop serves the one thread that ran it (a cancelled
  // operation still in flight is reaped in the loop's destructor).
  std::latch all_stopped(static_cast<std::ptrdiff_t>(runs_.size()));
  for (std::size_t i = 1; i < runs_.size(); ++i)
    threads.emplace_back([this, i, &all_stopped] {
      runs_[i]->start();
      loops_[i]->run();
      loops_[i]->run_nowait();
      all_stopped.arrive_and_wait();
      runs_[i].reset();
      own_loops_[i - 1].reset();
    });
  runs_[0]->start();
  loops_[0]->run();
  all_stopped.arrive_and_wait();
  for (auto& t : threads)
    t.join();
  // An abort posted to the first loop after its run ended runs now, while
  // its run is still here (a finished run ignores it).
  loops_[0]->run_nowait();

  EchoRunResult merged = results_[0];
  for (std::size_t i = 1; i < results_.size(); ++i) {
    const EchoRunResult& r = results_[i];
    // The first failure, not the aborts it caused.
    if (!r.error.empty() && (merged.error.empty() || merged.error.rfind("client loop ", 0) == 0))
      merged.error = r.error;
    merged.window_s = std::max(merged.window_s, r.window_s);
    merged.messages += r.messages;
    merged.echoes_in_window += r.echoes_in_window;
    merged.latency_ns.merge(r.latency_ns);
    merged.service_ns.merge(r.service_ns);
    merged.connect_ns.merge(r.connect_ns);
    merged.loop_lag_ns.merge(r.loop_lag_ns);
    merged.open_s = std::max(merged.open_s, r.open_s);
    merged.slots.add(r.slots);
    merged.reconnects += r.reconnects;
    merged.per_connection.insert(merged.per_connection.end(), r.per_connection.begin(),
                                 r.per_connection.end());
    if (r.cpu.user_s + r.cpu.sys_s > merged.cpu.user_s + merged.cpu.sys_s) merged.cpu = r.cpu;
    if (r.server_cpu_s && (!merged.server_cpu_s || *r.server_cpu_s > *merged.server_cpu_s))
      merged.server_cpu_s = r.server_cpu_s;
    merged.rss_before_open_kib = std::min(merged.rss_before_open_kib, r.rss_before_open_kib);
    merged.rss_open_kib = std::max(merged.rss_open_kib, r.rss_open_kib);
    if (r.server_rss_before_open_kib && merged.server_rss_before_open_kib)
      merged.server_rss_before_open_kib =
          std::min(*merged.server_rss_before_open_kib, *r.server_rss_before_open_kib);
    if (r.server_rss_open_kib && merged.server_rss_open_kib)
      merged.server_rss_open_kib = std::max(*merged.server_rss_open_kib, *r.server_rss_open_kib);
  }
  return merged;
}

}  // namespace lb
