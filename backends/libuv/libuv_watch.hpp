#pragma once
#include "backends/libuv/libuv_backend.hpp"

namespace lb {

// Readiness on a caller-owned fd with one uv_poll_t (libuv allows exactly one
// per fd). libuv polls level-triggered, as the contract wants.
class LibuvWatch final : public WatchImpl,
                         public LibuvSource,
                         public std::enable_shared_from_this<LibuvWatch> {
 public:
  explicit LibuvWatch(LibuvBackend& backend, WatchCallback cb);
  ~LibuvWatch() override { backend_.handle_released(); }
  static std::shared_ptr<WatchImpl> open(LibuvBackend& backend, int fd, unsigned interest,
                                         WatchCallback cb);

  void update(unsigned interest) override;
  void close() override;
  void teardown() override;

 private:
  static void on_poll(uv_poll_t* handle, int status, int events);

  LibuvBackend& backend_;
  uv_poll_t poll_{};
  std::shared_ptr<LibuvWatch> self_;
  bool closed_ = false;
  unsigned interest_ = kNone;
  WatchCallback cb_;
};

}  // namespace lb
