#pragma once
#include "backends/libuv/libuv_backend.hpp"

namespace lb {

// Readiness on a caller-owned socket with one uv_poll_t (libuv allows exactly
// one per fd), taken from the backend's LibuvPollPool and given back stopped
// on close(). libuv polls level-triggered, as the contract wants.
class LibuvWatch final : public WatchImpl,
                         public LibuvSource,
                         public std::enable_shared_from_this<LibuvWatch> {
 public:
  LibuvWatch(LibuvBackend& backend, int fd, WatchCallback cb);
  ~LibuvWatch() override;
  static std::shared_ptr<WatchImpl> open(LibuvBackend& backend, int fd, unsigned interest,
                                         WatchCallback cb);

  void update(unsigned interest) override;
  void close() override;
  void teardown() override;

 private:
  static void on_poll(uv_poll_t* handle, int status, int events);

  LibuvBackend& backend_;
  SocketHandle fd_;
  uv_poll_t* poll_ = nullptr;  // the pool's, lent until close()
  bool closed_ = false;
  unsigned interest_ = kNone;
  unsigned polled_ = kNone;  // the events the running poll asks for
  WatchCallback cb_;
};

}  // namespace lb
