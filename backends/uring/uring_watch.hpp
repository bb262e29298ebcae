#pragma once
#include "backends/uring/uring_backend.hpp"

namespace lb {

// Readiness on an fd the caller owns, with POLL_ADD.
//
// Why one-shot polls re-armed after each callback, not IORING_POLL_ADD_MULTI:
// a multishot poll posts a completion per wake-up of the socket, i.e. it is
// edge-triggered, while the contract (and libcurl) wants level-triggered
// readiness: a callback that leaves data unread must be called again. A
// one-shot POLL_ADD checks the current state when armed, so re-arming gives
// exactly that, for one SQE and no extra syscall (it rides the next submit).
class UringWatch final : public WatchImpl,
                         public UringSource,
                         public std::enable_shared_from_this<UringWatch> {
 public:
  UringWatch(UringBackend& backend, int fd, WatchCallback cb);
  ~UringWatch() override { backend_.handle_released(); }
  static std::shared_ptr<WatchImpl> open(UringBackend& backend, int fd, unsigned interest,
                                         WatchCallback cb);

  void update(unsigned interest) override;
  void close() override;
  void on_completion(UringOp op, std::uint64_t user_data, int res, std::uint32_t flags) override;
  void release_callbacks() override { cb_ = nullptr; }

 private:
  void arm();
  void disarm();

  UringBackend& backend_;
  int fd_;
  unsigned interest_ = kNone;
  unsigned armed_interest_ = kNone;
  std::uint64_t armed_op_ = 0;  // user_data of the pending POLL_ADD
  WatchCallback cb_;
};

}  // namespace lb
