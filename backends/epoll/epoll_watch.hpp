#pragma once
#include "backends/epoll/epoll_backend.hpp"

namespace lb {

// Level-triggered readiness on an fd the caller owns.
class EpollWatch final : public WatchImpl,
                         public EpollSource,
                         public std::enable_shared_from_this<EpollWatch> {
 public:
  EpollWatch(EpollBackend& backend, int fd, WatchCallback cb);
  static std::shared_ptr<WatchImpl> open(EpollBackend& backend, int fd, unsigned interest,
                                         WatchCallback cb);

  void update(unsigned interest) override;
  void close() override;
  void on_events(std::uint32_t events) override;
  void release_callbacks() override { cb_ = nullptr; }

 private:
  EpollBackend& backend_;
  int fd_;
  unsigned interest_ = kNone;
  std::uint32_t registered_ = 0;
  WatchCallback cb_;
};

}  // namespace lb
