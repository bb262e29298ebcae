// libFuzzer's entry point for one target, chosen at build time.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return lb::fuzz::LB_FUZZ_TARGET(data, size);
}
