#include "engine/buffer.hpp"

#include <cassert>

namespace lb {

Slice slice_of(SharedBytes bytes) {
  const std::size_t size = bytes->size();
  return Slice{std::move(bytes), 0, size};
}

Slice slice_of(SharedBytes bytes, std::size_t offset, std::size_t size) {
  assert(offset + size <= bytes->size());
  return Slice{std::move(bytes), offset, size};
}

Slice copy_slice(std::span<const std::byte> data) {
  return slice_of(std::make_shared<const Bytes>(data.begin(), data.end()));
}

Slice copy_slice(std::string_view text) {
  return copy_slice(as_bytes(text));
}

std::size_t total_size(const BufferList& list) {
  std::size_t n = 0;
  for (const auto& s : list)
    n += s.size;
  return n;
}

}  // namespace lb
