#include "backends/libuv/libuv_watch.hpp"

#include "engine/callback_slot.hpp"

namespace lb {

LibuvWatch::LibuvWatch(LibuvBackend& backend, WatchCallback cb)
    : backend_(backend), cb_(std::move(cb)) {
  backend_.handle_opened();
}

std::shared_ptr<WatchImpl> LibuvWatch::open(LibuvBackend& backend, int fd, unsigned interest,
                                            WatchCallback cb) {
  auto watch = std::make_shared<LibuvWatch>(backend, std::move(cb));
  uv_poll_init_socket(backend.uv(), &watch->poll_, fd);
  watch->poll_.data = static_cast<LibuvSource*>(watch.get());
  watch->self_ = watch;
  watch->update(interest);
  return watch;
}

void LibuvWatch::update(unsigned interest) {
  if (closed_) return;
  interest_ = interest & (kReadable | kWritable);
  int events = 0;
  if (interest_ & kReadable) events |= UV_READABLE;
  if (interest_ & kWritable) events |= UV_WRITABLE;
  if (events == 0)
    uv_poll_stop(&poll_);
  else
    uv_poll_start(&poll_, events, &LibuvWatch::on_poll);
}

void LibuvWatch::on_poll(uv_poll_t* handle, int status, int events) {
  auto* raw = static_cast<LibuvWatch*>(static_cast<LibuvSource*>(handle->data));
  if (raw->closed_) return;
  auto self = raw->shared_from_this();
  unsigned ready = kNone;
  if (events & (UV_READABLE | UV_DISCONNECT)) ready |= kReadable;
  if (events & UV_WRITABLE) ready |= kWritable;
  ready &= self->interest_;
  if (status < 0) ready |= kError;
  if (ready != kNone) invoke_slot(self->cb_, ready);
}

// uv_close stops the poll at once (libuv removes the fd from its epoll set),
// so the caller may close the fd right after this returns.
void LibuvWatch::close() {
  if (closed_) return;
  closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), [](uv_handle_t* h) {
    auto* self = static_cast<LibuvWatch*>(static_cast<LibuvSource*>(h->data));
    self->cb_ = nullptr;
    auto keep = std::move(self->self_);
  });
}

void LibuvWatch::teardown() {
  cb_ = nullptr;
  close();
}

}  // namespace lb
