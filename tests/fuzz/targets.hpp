#pragma once
// The fuzz targets: each takes one input and must neither crash, leak nor
// trip a sanitizer, whatever the bytes. libFuzzer calls them through
// entry.cpp (one executable per target, LOOPBENCH_FUZZ=ON, clang); the
// replay test (replay_test.cpp) runs every committed corpus and regression
// input through them in the ordinary builds.
#include <cstddef>
#include <cstdint>

namespace lb::fuzz {

int http_request(const std::uint8_t* data, std::size_t size);
int ws_handshake(const std::uint8_t* data, std::size_t size);
int ws_frames(const std::uint8_t* data, std::size_t size);
int tls_stream(const std::uint8_t* data, std::size_t size);

// Input split points: the first byte of an input picks how the rest is cut
// into pieces, so that the same bytes arrive whole and in small pieces.
std::size_t piece_size(std::uint8_t selector, std::size_t remaining);

}  // namespace lb::fuzz
