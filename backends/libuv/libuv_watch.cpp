#include "backends/libuv/libuv_watch.hpp"

#include "engine/callback_slot.hpp"
#include "engine/loop.hpp"

namespace lb {

LibuvWatch::LibuvWatch(LibuvBackend& backend, int fd, WatchCallback cb)
    : backend_(backend), fd_(fd), cb_(std::move(cb)) {
  backend_.handle_opened();
}

LibuvWatch::~LibuvWatch() {
  close();
  backend_.handle_released();
}

std::shared_ptr<WatchImpl> LibuvWatch::open(LibuvBackend& backend, int fd, unsigned interest,
                                            WatchCallback cb) {
  auto watch = std::make_shared<LibuvWatch>(backend, fd, std::move(cb));
  int status = 0;
  watch->poll_ = backend.poll_pool().take(fd, status);
  if (!watch->poll_) {
    // Reported on a later turn, never from inside watch().
    backend.loop().defer([w = std::weak_ptr<LibuvWatch>(watch)] {
      if (auto self = w.lock(); self && !self->closed_) invoke_slot(self->cb_, kError);
    });
    watch->closed_ = true;
    return watch;
  }
  watch->poll_->data = static_cast<LibuvSource*>(watch.get());
  watch->update(interest);
  return watch;
}

// uv_poll_start stops the handle first (an EPOLL_CTL_DEL) and adds the fd
// again on the next poll, so the poll keeps running through a pause (see
// WatchImpl::update) and an unchanged interest is left alone. The first
// event that comes while paused stops it.
void LibuvWatch::update(unsigned interest) {
  if (closed_) return;
  interest_ = interest & (kReadable | kWritable);
  if (interest_ == kNone) return;
  if (interest_ == polled_ && uv_is_active(reinterpret_cast<uv_handle_t*>(poll_))) return;
  polled_ = interest_;
  int events = 0;
  if (polled_ & kReadable) events |= UV_READABLE;
  if (polled_ & kWritable) events |= UV_WRITABLE;
  uv_poll_start(poll_, events, &LibuvWatch::on_poll);
}

void LibuvWatch::on_poll(uv_poll_t* handle, int status, int events) {
  auto* raw = static_cast<LibuvWatch*>(static_cast<LibuvSource*>(handle->data));
  if (!raw || raw->closed_) return;
  if (raw->interest_ == kNone) {
    uv_poll_stop(handle);
    return;
  }
  auto self = raw->shared_from_this();
  unsigned ready = kNone;
  if (events & (UV_READABLE | UV_DISCONNECT)) ready |= kReadable;
  if (events & UV_WRITABLE) ready |= kWritable;
  ready &= self->interest_;
  if (status < 0) ready |= kError;
  if (ready != kNone) invoke_slot(self->cb_, ready);
}

// Giving the handle back stops the poll at once (libuv removes the fd from
// its epoll set), so the caller may close the fd right after this returns.
void LibuvWatch::close() {
  if (closed_) return;
  closed_ = true;
  backend_.poll_pool().give_back(fd_, poll_);
  poll_ = nullptr;
}

void LibuvWatch::teardown() {
  cb_ = nullptr;
  close();
}

}  // namespace lb
