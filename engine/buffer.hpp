#pragma once
// Byte buffers handed to writes. A Slice shares ownership of immutable bytes,
// so a payload generated once (a benchmark chunk, an HTTP body) can be queued
// on many streams at once without copying; the backend keeps the BufferList
// alive until the write's callback has run.
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace lb {

using Bytes = std::vector<std::byte>;
using SharedBytes = std::shared_ptr<const Bytes>;

struct Slice {
  SharedBytes bytes;
  std::size_t offset = 0;
  std::size_t size = 0;

  const std::byte* data() const { return bytes->data() + offset; }
  std::span<const std::byte> span() const { return {data(), size}; }
};

using BufferList = std::vector<Slice>;

// The whole of `bytes`.
Slice slice_of(SharedBytes bytes);
// Part of `bytes`; the range must lie inside it.
Slice slice_of(SharedBytes bytes, std::size_t offset, std::size_t size);
// A slice owning a private copy (for small, one-off writes).
Slice copy_slice(std::span<const std::byte> data);
Slice copy_slice(std::string_view text);

std::size_t total_size(const BufferList& list);

inline std::span<const std::byte> as_bytes(std::string_view text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

}  // namespace lb
