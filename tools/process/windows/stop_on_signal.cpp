// Windows: StopOnSignal through the console's Ctrl-C handler and the stop
// scopes of stop_scope.hpp (tools/process/stop_on_signal.hpp).
#include "tools/process/stop_on_signal.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "tools/process/windows/stop_scope.hpp"

namespace lb {
namespace {

struct Waiter {
  int scope;
  std::function<void()> on_signal;
  std::atomic<bool>* signalled;
};

struct ServerThread {
  int scope;
  HANDLE thread;  // a real handle (DuplicateHandle), closed on leave
};

struct Scopes {
  std::mutex mutex;
  int next = 1;
  std::vector<Waiter*> waiters;
  std::set<int> stopped;
  std::map<DWORD, ServerThread> threads;     // by thread id
  std::map<int, win::ThreadTimes> finished;  // of server threads that left, by scope
};

Scopes& scopes() {
  static Scopes s;
  return s;
}

thread_local int this_thread_scope = 0;

win::ThreadTimes thread_times(HANDLE thread) {
  FILETIME created, exited, kernel, user;
  if (!::GetThreadTimes(thread, &created, &exited, &kernel, &user)) return {};
  const auto seconds = [](const FILETIME& t) {
    const auto ticks = (static_cast<unsigned long long>(t.dwHighDateTime) << 32) | t.dwLowDateTime;
    return static_cast<double>(ticks) / 1e7;  // 100 ns ticks
  };
  return {seconds(user), seconds(kernel)};
}

void add(win::ThreadTimes& to, const win::ThreadTimes& t) {
  to.user_s += t.user_s;
  to.sys_s += t.sys_s;
}

// Runs the callbacks of every waiter that matches, under the lock so that
// no waiter is destroyed meanwhile: each only asks loops to stop.
template <class Match>
void fire(Match match) {
  std::lock_guard lock(scopes().mutex);
  auto& waiters = scopes().waiters;
  for (auto it = waiters.begin(); it != waiters.end();) {
    if (match((*it)->scope)) {
      (*it)->signalled->store(true);
      (*it)->on_signal();
      it = waiters.erase(it);
    } else {
      ++it;
    }
  }
}

BOOL WINAPI on_console_event(DWORD event) {
  if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT && event != CTRL_CLOSE_EVENT) return FALSE;
  {
    std::lock_guard lock(scopes().mutex);
    if (scopes().waiters.empty()) return FALSE;  // the default: end the process
  }
  fire([](int) { return true; });
  return TRUE;
}

}  // namespace

namespace win {

int new_stop_scope() {
  std::lock_guard lock(scopes().mutex);
  return scopes().next++;
}

int current_stop_scope() {
  return this_thread_scope;
}

void enter_server_thread(int scope) {
  this_thread_scope = scope;
  HANDLE real = nullptr;
  ::DuplicateHandle(::GetCurrentProcess(), ::GetCurrentThread(), ::GetCurrentProcess(), &real,
                    THREAD_QUERY_LIMITED_INFORMATION, FALSE, 0);
  std::lock_guard lock(scopes().mutex);
  scopes().threads[::GetCurrentThreadId()] = ServerThread{scope, real};
}

void leave_server_thread() {
  std::lock_guard lock(scopes().mutex);
  auto it = scopes().threads.find(::GetCurrentThreadId());
  if (it == scopes().threads.end()) return;
  add(scopes().finished[it->second.scope], thread_times(it->second.thread));
  ::CloseHandle(it->second.thread);
  scopes().threads.erase(it);
}

void stop_scope(int scope) {
  {
    std::lock_guard lock(scopes().mutex);
    scopes().stopped.insert(scope);
  }
  fire([scope](int s) { return s == scope; });
}

ThreadTimes server_threads_cpu_times() {
  std::lock_guard lock(scopes().mutex);
  ThreadTimes total;
  for (const auto& [id, t] : scopes().threads)
    add(total, thread_times(t.thread));
  for (const auto& [scope, t] : scopes().finished)
    add(total, t);
  return total;
}

double scope_cpu_seconds(int scope) {
  std::lock_guard lock(scopes().mutex);
  ThreadTimes total = scopes().finished[scope];
  for (const auto& [id, t] : scopes().threads)
    if (t.scope == scope) add(total, thread_times(t.thread));
  return total.user_s + total.sys_s;
}

}  // namespace win

StopOnSignal::StopOnSignal(Loop& loop) : StopOnSignal([&loop] { loop.stop_from_any_thread(); }) {}

// No helper thread here: the console handler and stop_scope run the
// callback on their own threads. The waiter is registered until it fires or
// this is destroyed.
StopOnSignal::StopOnSignal(std::function<void()> on_signal) {
  static const bool handler = ::SetConsoleCtrlHandler(&on_console_event, TRUE) != 0;
  (void)handler;
  auto waiter = std::make_shared<Waiter>(
      Waiter{win::current_stop_scope(), std::move(on_signal), &signalled_});
  bool stopped_already = false;
  {
    std::lock_guard lock(scopes().mutex);
    stopped_already = scopes().stopped.count(waiter->scope) > 0;
    if (!stopped_already) scopes().waiters.push_back(waiter.get());
  }
  if (stopped_already) {
    signalled_ = true;
    waiter->on_signal();
    return;
  }
  registered_ = waiter;
}

StopOnSignal::~StopOnSignal() {
  if (!registered_) return;
  std::lock_guard lock(scopes().mutex);
  auto& waiters = scopes().waiters;
  auto* waiter = static_cast<Waiter*>(registered_.get());
  waiters.erase(std::remove(waiters.begin(), waiters.end(), waiter), waiters.end());
}

}  // namespace lb
