#pragma once
#include "backends/common/accept_reserve.hpp"
#include "backends/epoll/epoll_backend.hpp"
#include "engine/unique_fd.hpp"

namespace lb {

// A listening socket; accepts in batches while readable.
class EpollListener final : public ListenerImpl,
                            public EpollSource,
                            public std::enable_shared_from_this<EpollListener> {
 public:
  EpollListener(EpollBackend& backend, UniqueFd fd, AcceptCallback cb);
  static std::shared_ptr<ListenerImpl> open(EpollBackend& backend, const Endpoint& at,
                                            const ListenOptions& options, AcceptCallback cb,
                                            std::error_code& ec);

  std::uint16_t local_port() const override { return port_; }
  void close() override;
  void on_events(std::uint32_t events) override;
  void release_callbacks() override { accept_cb_ = nullptr; }

 private:
  EpollBackend& backend_;
  UniqueFd fd_;
  std::uint16_t port_;
  std::uint32_t registered_ = 0;
  AcceptCallback accept_cb_;
  AcceptReserve reserve_;
};

}  // namespace lb
