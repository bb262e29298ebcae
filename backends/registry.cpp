#include "backends/registry.hpp"

#include <cstdlib>
#include <mutex>
#include <optional>

#ifdef LOOPBENCH_HAVE_TWIN
#include "backends/twin/twin_backend.hpp"
#endif

namespace lb {

#ifdef LOOPBENCH_HAVE_EPOLL
std::unique_ptr<Backend> make_epoll_backend(Loop& loop);
#endif
#ifdef LOOPBENCH_HAVE_LIBUV
std::unique_ptr<Backend> make_libuv_backend(Loop& loop);
std::string libuv_version();
#endif
#ifdef LOOPBENCH_HAVE_URING
std::unique_ptr<Backend> make_uring_backend(Loop& loop);
std::string uring_unavailable_reason();
#endif

namespace {

struct Entry {
  std::string_view name;
  BackendFactory factory;
  std::string (*why_not)();  // empty string: usable
  std::string_view mechanisms;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> list = {
#ifdef LOOPBENCH_HAVE_EPOLL
      {"epoll", make_epoll_backend, [] { return std::string(); },
       "level-triggered epoll_wait; recv and sendmsg on readiness"},
#endif
#ifdef LOOPBENCH_HAVE_LIBUV
      {"libuv", make_libuv_backend, [] { return std::string(); },
       "uv_tcp reads and uv_write; uv_poll watches; one uv_timer for waits"},
#endif
#ifdef LOOPBENCH_HAVE_URING
      {"uring", make_uring_backend, uring_unavailable_reason,
       "multishot RECV into a provided-buffer ring (registered by hand, liburing 2.3), task work "
       "deferred to the wait; SENDMSG, "
       "one in flight per stream, on blocking sockets; multishot ACCEPT; CONNECT; one-shot "
       "POLL_ADD re-armed for level-triggered watches"},
#endif
  };
  return list;
}

// Probing io_uring creates a ring; do it once per process.
const std::string& cached_why_not(const Entry& e) {
  static std::mutex mutex;
  static std::vector<std::pair<std::string_view, std::string>> cache;
  std::lock_guard lock(mutex);
  for (const auto& [name, why] : cache)
    if (name == e.name) return why;
  cache.emplace_back(e.name, e.why_not());
  return cache.back().second;
}

const Entry* find_compiled(std::string_view name) {
  for (const auto& e : entries())
    if (e.name == name) return &e;
  return nullptr;
}

#ifdef LOOPBENCH_HAVE_TWIN
// LOOPBENCH_TEST_TWIN=LOOP adds "LOOP-twin", the same loop under a second
// name, outside "all"; LOOPBENCH_TEST_TWIN_SLOWDOWN=PERCENT slows it down
// (backends/twin/twin_backend.hpp). Only the verdicts' own checks set them.
double twin_slowdown() {
  const char* text = std::getenv("LOOPBENCH_TEST_TWIN_SLOWDOWN");
  if (!text || !*text) return 0;
  char* end = nullptr;
  const double percent = std::strtod(text, &end);
  if (*end != '\0' || !(percent >= 0 && percent < 100))
    throw BackendError(std::string("LOOPBENCH_TEST_TWIN_SLOWDOWN: expected a percentage from 0 "
                                   "to below 100, got '") +
                       text + "'");
  return percent / 100;
}

const Entry* twin_entry() {
  static const std::optional<std::pair<std::string, Entry>> twin =
      []() -> std::optional<std::pair<std::string, Entry>> {
    const char* of = std::getenv("LOOPBENCH_TEST_TWIN");
    const Entry* inner = of ? find_compiled(of) : nullptr;
    if (!inner) return std::nullopt;
    return std::pair<std::string, Entry>{std::string(of) + "-twin", *inner};
  }();
  if (!twin) return nullptr;
  static const Entry entry = [] {
    Entry e = twin->second;
    e.name = twin->first;
    e.factory = [inner = twin->second.factory, name = twin->first, slowdown = twin_slowdown()](
                    Loop& loop) { return make_twin_backend(inner(loop), name, slowdown); };
    return e;
  }();
  return &entry;
}
#endif

const Entry* find(std::string_view name) {
  if (const Entry* e = find_compiled(name)) return e;
#ifdef LOOPBENCH_HAVE_TWIN
  if (const Entry* e = twin_entry(); e && e->name == name) return e;
#endif
  return nullptr;
}

std::string available_list() {
  std::string out;
  for (const auto& e : entries())
    out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}

}  // namespace

std::vector<std::string> compiled_backend_names() {
  std::vector<std::string> names;
  for (const auto& e : entries())
    names.emplace_back(e.name);
  return names;
}

std::string default_server_backend() {
  return std::string(entries().front().name);
}

std::vector<BackendStatus> backend_statuses() {
  std::vector<BackendStatus> out;
  for (const auto& e : entries()) {
    const std::string& why = cached_why_not(e);
    out.push_back({std::string(e.name), why.empty(), why, std::string(e.mechanisms)});
  }
  return out;
}

std::vector<std::string> select_backends(std::string_view spec, std::vector<std::string>& notes) {
  std::vector<std::string> chosen;
  auto add = [&](std::string_view name, bool from_all) {
    const Entry* e = find(name);
    if (!e && (name == "epoll" || name == "uring"))
      throw BackendError("loop '" + std::string(name) +
                         "' is not in this build: epoll and io_uring are Linux's (built with "
                         "LOOPBENCH_EPOLL/LOOPBENCH_URING there); available: " +
                         available_list() + ", all");
    if (!e)
      throw BackendError("unknown loop '" + std::string(name) +
                         "'; available: " + available_list() + ", all");
    const std::string& why = cached_why_not(*e);
    if (!why.empty()) {
      if (!from_all)
        throw BackendError("loop '" + std::string(name) + "' does not work here: " + why);
      notes.push_back("skipping " + std::string(name) + ": " + why);
      return;
    }
    for (const auto& c : chosen)
      if (c == name) return;
    chosen.emplace_back(name);
  };
  std::size_t start = 0;
  while (start <= spec.size()) {
    std::size_t comma = spec.find(',', start);
    if (comma == std::string_view::npos) comma = spec.size();
    const auto item = spec.substr(start, comma - start);
    if (item == "all") {
      for (const auto& e : entries())
        add(e.name, true);
    } else {
      add(item, false);
    }
    start = comma + 1;
  }
  if (chosen.empty()) throw BackendError("no usable loop among '" + std::string(spec) + "'");
  return chosen;
}

std::vector<std::pair<std::string, std::string>> backend_library_versions() {
  std::vector<std::pair<std::string, std::string>> out;
#ifdef LOOPBENCH_HAVE_LIBUV
  out.emplace_back("libuv", libuv_version());
#endif
#ifdef LOOPBENCH_HAVE_URING
  out.emplace_back("liburing", LOOPBENCH_LIBURING_VERSION);
#endif
  return out;
}

BackendFactory backend_factory(std::string_view name) {
  const Entry* e = find(name);
  if (!e)
    throw BackendError("unknown loop '" + std::string(name) + "'; available: " + available_list());
  return e->factory;
}

std::unique_ptr<Loop> make_loop(std::string_view name) {
  return std::make_unique<Loop>(backend_factory(name));
}

LoopKind resolve_loop(std::string_view name) {
  return {std::string(name), backend_factory(name)};
}

std::vector<LoopKind> resolve_loops(std::string_view spec, std::vector<std::string>& notes) {
  std::vector<LoopKind> out;
  for (const auto& name : select_backends(spec, notes))
    out.push_back(resolve_loop(name));
  return out;
}

std::vector<std::string> names_of(const std::vector<LoopKind>& loops) {
  std::vector<std::string> out;
  for (const auto& l : loops)
    out.push_back(l.name);
  return out;
}

}  // namespace lb
