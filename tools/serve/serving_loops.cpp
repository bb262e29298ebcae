#include "tools/serve/serving_loops.hpp"

#include <fmt/core.h>

#include <stdexcept>
#include <thread>

#include "backends/registry.hpp"
#include "tools/process/stop_on_signal.hpp"

namespace lb {

ServingLoops::ServingLoops(const std::string& loop_name, int threads, const Endpoint& at,
                           const StartServer& start) {
  if (threads < 1) throw std::invalid_argument("a server needs at least one loop thread");
  const LoopKind kind = resolve_loop(loop_name);
  ListenAt listen_at{at, threads > 1};
  for (int i = 0; i < threads; ++i) {
    loops_.push_back(kind.make());
    servings_.push_back(start(*loops_.back(), listen_at));
    listen_at.endpoint.port = servings_.back().port;  // port 0: the others join the first's
  }
}

// Servers go before their loops.
ServingLoops::~ServingLoops() {
  servings_.clear();
}

void ServingLoops::run() {
  StopOnSignal stop([this] {
    for (auto& loop : loops_)
      loop->stop_from_any_thread();
  });
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i)
    threads.emplace_back([this, i] { loops_[i]->run(); });
  loops_.front()->run();
  for (auto& t : threads)
    t.join();
}

std::string ServingLoops::summary() const {
  std::string text;
  for (std::size_t i = 0; i < servings_.size(); ++i) {
    if (!servings_[i].summary) continue;
    if (!text.empty()) text += "; ";
    if (servings_.size() > 1) text += fmt::format("loop {}: ", i + 1);
    text += servings_[i].summary();
  }
  return text;
}

}  // namespace lb
