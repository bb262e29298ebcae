#pragma once
// Move-only handles that protocol code holds. Destroying a handle closes it;
// the backend's state may outlive the handle until the kernel lets go of it
// (see backend.hpp for the rules).
#include <memory>

#include "engine/backend.hpp"

namespace lb {

class Stream {
 public:
  Stream() = default;
  explicit Stream(std::shared_ptr<StreamImpl> impl) : impl_(std::move(impl)) {}
  Stream(Stream&&) noexcept = default;
  Stream& operator=(Stream&& other) noexcept;
  ~Stream() { close(); }

  explicit operator bool() const { return impl_ != nullptr; }

  void read_start(ReadCallback cb) { impl_->read_start(std::move(cb)); }
  void read_stop() { impl_->read_stop(); }
  void write(BufferList bufs, WriteCallback cb) { impl_->write(std::move(bufs), std::move(cb)); }
  void shutdown(WriteCallback cb) { impl_->shutdown(std::move(cb)); }
  std::size_t write_queue_bytes() const { return impl_->write_queue_bytes(); }
  void set_drain_callback(DrainCallback cb) { impl_->set_drain_callback(std::move(cb)); }
  std::uint16_t local_port() const { return impl_->local_port(); }
  std::string_view negotiated_protocol() const { return impl_->negotiated_protocol(); }
  void close();

 private:
  std::shared_ptr<StreamImpl> impl_;
};

class Listener {
 public:
  Listener() = default;
  explicit Listener(std::shared_ptr<ListenerImpl> impl) : impl_(std::move(impl)) {}
  Listener(Listener&&) noexcept = default;
  Listener& operator=(Listener&& other) noexcept;
  ~Listener() { close(); }

  explicit operator bool() const { return impl_ != nullptr; }
  std::uint16_t local_port() const { return impl_->local_port(); }
  void close();

 private:
  std::shared_ptr<ListenerImpl> impl_;
};

class Watch {
 public:
  Watch() = default;
  explicit Watch(std::shared_ptr<WatchImpl> impl) : impl_(std::move(impl)) {}
  Watch(Watch&&) noexcept = default;
  Watch& operator=(Watch&& other) noexcept;
  ~Watch() { close(); }

  explicit operator bool() const { return impl_ != nullptr; }
  void update(unsigned interest) { impl_->update(interest); }
  void close();

 private:
  std::shared_ptr<WatchImpl> impl_;
};

}  // namespace lb
