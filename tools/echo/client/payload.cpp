#include "tools/echo/client/payload.hpp"

#include "tools/serve/random_bytes.hpp"

namespace lb {

EchoPayload::EchoPayload(std::size_t size) : size_(size), pattern_(random_bytes(size + kOffsets)) {}

}  // namespace lb
