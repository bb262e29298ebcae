#include "backends/epoll/epoll_watch.hpp"

#include "engine/callback_slot.hpp"

namespace lb {

EpollWatch::EpollWatch(EpollBackend& backend, int fd, WatchCallback cb)
    : backend_(backend), fd_(fd), cb_(std::move(cb)) {}

std::shared_ptr<WatchImpl> EpollWatch::open(EpollBackend& backend, int fd, unsigned interest,
                                            WatchCallback cb) {
  auto watch = std::make_shared<EpollWatch>(backend, fd, std::move(cb));
  backend.adopt(watch);
  watch->update(interest);
  return watch;
}

// A pause keeps the registration (see WatchImpl::update); the first event
// that comes while paused removes it.
void EpollWatch::update(unsigned interest) {
  if (closed_) return;
  interest_ = interest & (kReadable | kWritable);
  if (interest_ == kNone) return;
  std::uint32_t events = 0;
  if (interest_ & kReadable) events |= EPOLLIN;
  if (interest_ & kWritable) events |= EPOLLOUT;
  backend_.set_events(fd_, this, events, registered_);
}

void EpollWatch::on_events(std::uint32_t events) {
  if (interest_ == kNone) {
    backend_.set_events(fd_, this, 0, registered_);
    return;
  }
  auto self = shared_from_this();
  unsigned ready = kNone;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) ready |= kReadable;
  if (events & EPOLLOUT) ready |= kWritable;
  ready &= interest_;
  if (events & EPOLLERR) ready |= kError;
  if (ready != kNone) invoke_slot(cb_, ready);
}

void EpollWatch::close() {
  if (closed_) return;
  backend_.set_events(fd_, this, 0, registered_);
  closed_ = true;
  backend_.retire(this);
}

}  // namespace lb
