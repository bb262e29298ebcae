#include "backends/libuv/libuv_poll_pool.hpp"

namespace lb {
namespace {
constexpr std::size_t kMaxKept = 1024;
}

uv_poll_t* LibuvPollPool::take(SocketHandle fd, int& status) {
  status = 0;
  if (auto it = kept_.find(fd); it != kept_.end()) {
    uv_poll_t* handle = it->second.release();
    kept_.erase(it);
    return handle;
  }
  auto handle = std::make_unique<uv_poll_t>();
  status = uv_poll_init_socket(loop_, handle.get(), fd);
  return status == 0 ? handle.release() : nullptr;
}

void LibuvPollPool::give_back(SocketHandle fd, uv_poll_t* handle) {
  uv_poll_stop(handle);
  handle->data = nullptr;
#ifdef _WIN32
  const bool keep = false;
#else
  const bool keep = !closed_ && kept_.size() < kMaxKept && !kept_.count(fd);
#endif
  if (!keep) return close_and_free(handle);
  kept_.emplace(fd, std::unique_ptr<uv_poll_t>(handle));
}

void LibuvPollPool::close_all() {
  closed_ = true;
  for (auto& [fd, handle] : kept_)
    close_and_free(handle.release());
  kept_.clear();
}

// libuv holds the handle until its close callback, which frees it.
void LibuvPollPool::close_and_free(uv_poll_t* handle) {
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { std::unique_ptr<uv_poll_t>(reinterpret_cast<uv_poll_t*>(h)); });
}

}  // namespace lb
