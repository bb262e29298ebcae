// Windows: the built-in server on a thread of bench, in a stop scope of its
// own (stop_scope.hpp), in place of the forked child of server_process.cpp.
#include "tools/process/server_process.hpp"

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "tools/process/windows/stop_scope.hpp"

namespace lb {

struct ServingThread {
  int scope = win::new_stop_scope();
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<std::uint16_t> port;
  std::optional<int> exit_code;
  std::thread thread;
};

ServerProcess::ServerProcess(const Body& body, std::chrono::milliseconds startup_timeout)
    : thread_(std::make_shared<ServingThread>()) {
  auto& t = *thread_;
  t.thread = std::thread([&t, body] {
    win::enter_server_thread(t.scope);
    const int rc = body([&t](std::uint16_t port) {
      std::lock_guard lock(t.mutex);
      t.port = port;
      t.changed.notify_all();
    });
    win::leave_server_thread();
    std::lock_guard lock(t.mutex);
    t.exit_code = rc;
    t.changed.notify_all();
  });
  std::unique_lock lock(t.mutex);
  const bool answered =
      t.changed.wait_for(lock, startup_timeout, [&t] { return t.port || t.exit_code; });
  if (answered && t.port) {
    port_ = *t.port;
    return;
  }
  lock.unlock();
  const int status = stop();
  if (!answered) throw std::runtime_error("the benchmark server did not start in time");
  throw std::runtime_error("the benchmark server failed to start (exit status " +
                           std::to_string(status) + ")");
}

ServerProcess::~ServerProcess() {
  stop();
}

// Asks the server's loops to stop, as SIGTERM does a child, and waits for
// its thread. A server thread cannot be killed the way a child can: one
// that never returns is a bug this wait makes visible.
int ServerProcess::stop() {
  if (!thread_ || !thread_->thread.joinable()) return status_;
  win::stop_scope(thread_->scope);
  thread_->thread.join();
  status_ = thread_->exit_code.value_or(-1);
  return status_;
}

std::optional<double> ServerProcess::cpu_seconds() const {
  if (!thread_) return std::nullopt;
  return win::scope_cpu_seconds(thread_->scope);
}

std::optional<MemoryKib> ServerProcess::memory() const {
  return std::nullopt;
}

}  // namespace lb
