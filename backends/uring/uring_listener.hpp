#pragma once
#include "backends/common/accept_reserve.hpp"
#include "backends/uring/uring_backend.hpp"
#include "engine/unique_fd.hpp"

namespace lb {

// A listening socket served by one multishot ACCEPT, re-armed when the
// kernel ends it; out of descriptors, by a POLL until a connection waits.
class UringListener final : public ListenerImpl,
                            public UringSource,
                            public std::enable_shared_from_this<UringListener> {
 public:
  UringListener(UringBackend& backend, UniqueFd fd, AcceptCallback cb);
  ~UringListener() override { backend_.handle_released(); }
  static std::shared_ptr<ListenerImpl> open(UringBackend& backend, const Endpoint& at,
                                            const ListenOptions& options, AcceptCallback cb,
                                            std::error_code& ec);

  std::uint16_t local_port() const override { return port_; }
  void close() override;
  void on_completion(UringOp op, std::uint64_t user_data, int res, std::uint32_t flags) override;
  void on_quiescent() override;
  void release_callbacks() override { accept_cb_ = nullptr; }

 private:
  void arm();
  void arm_readable();

  UringBackend& backend_;
  UniqueFd fd_;
  std::uint16_t port_;
  AcceptCallback accept_cb_;
  AcceptReserve reserve_;
};

}  // namespace lb
