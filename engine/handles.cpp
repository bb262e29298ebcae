#include "engine/handles.hpp"

namespace lb {
namespace {

// Close-then-take, shared by the three handle kinds.
template <class Impl>
void close_impl(std::shared_ptr<Impl>& impl) {
  if (auto taken = std::move(impl)) taken->close();
}

}  // namespace

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
void Stream::close() {
  close_impl(impl_);
}

Listener& Listener::operator=(Listener&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
void Listener::close() {
  close_impl(impl_);
}

Watch& Watch::operator=(Watch&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
void Watch::close() {
  close_impl(impl_);
}

}  // namespace lb
