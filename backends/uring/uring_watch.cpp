#include "backends/uring/uring_watch.hpp"

#include <poll.h>

#include "engine/callback_slot.hpp"

namespace lb {

UringWatch::UringWatch(UringBackend& backend, int fd, WatchCallback cb)
    : backend_(backend), fd_(fd), cb_(std::move(cb)) {
  backend_.handle_opened();
}

std::shared_ptr<WatchImpl> UringWatch::open(UringBackend& backend, int fd, unsigned interest,
                                            WatchCallback cb) {
  auto watch = std::make_shared<UringWatch>(backend, fd, std::move(cb));
  watch->update(interest);
  return watch;
}

void UringWatch::arm() {
  if (closed_ || interest_ == kNone || armed_op_) return;
  unsigned mask = 0;
  if (interest_ & kReadable) mask |= POLLIN;
  if (interest_ & kWritable) mask |= POLLOUT;
  io_uring_sqe* sqe = backend_.sqe();
  io_uring_prep_poll_add(sqe, fd_, mask);
  armed_op_ = backend_.track(sqe, shared_from_this(), UringOp::poll);
  armed_interest_ = interest_;
}

// The removed poll still completes (with -ECANCELED, or with events if it
// raced); that completion no longer matches armed_op_ and is dropped.
void UringWatch::disarm() {
  if (!armed_op_) return;
  io_uring_sqe* sqe = backend_.sqe();
  io_uring_prep_poll_remove(sqe, armed_op_);
  io_uring_sqe_set_data64(sqe, 0);  // UringOp::ignore
  armed_op_ = 0;
}

// A pause leaves the armed poll in place (see WatchImpl::update): its
// completion, if one comes while paused, is dropped and not re-armed.
void UringWatch::update(unsigned interest) {
  if (closed_) return;
  interest_ = interest & (kReadable | kWritable);
  if (interest_ == kNone) return;
  if (armed_op_ && armed_interest_ != interest_) disarm();
  arm();
}

void UringWatch::on_completion(UringOp, std::uint64_t user_data, int res, std::uint32_t) {
  if (user_data != armed_op_) return;
  armed_op_ = 0;
  if (interest_ == kNone) return;
  auto self = shared_from_this();
  unsigned ready = kNone;
  if (res > 0) {
    const auto revents = static_cast<unsigned>(res);
    if (revents & (POLLIN | POLLHUP | POLLRDHUP)) ready |= kReadable;
    if (revents & POLLOUT) ready |= kWritable;
    ready &= interest_;
    if (revents & (POLLERR | POLLNVAL)) ready |= kError;
  } else if (res < 0 && res != -ECANCELED) {
    ready = kError;
  }
  if (ready != kNone) invoke_slot(cb_, ready);
  arm();
}

void UringWatch::close() {
  if (closed_) return;
  disarm();
  closed_ = true;
  backend_.close_when_quiescent(*this);
}

}  // namespace lb
