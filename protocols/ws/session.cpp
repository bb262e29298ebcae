#include "protocols/ws/session.hpp"

#include <stdexcept>
#include <string>

#include "protocols/ws/native_session.hpp"
#include "protocols/ws/wslay_session.hpp"

namespace lb::ws {

const char* codec_name(Codec codec) {
  return codec == Codec::native ? "native" : "wslay";
}

Codec parse_codec(std::string_view name) {
  if (name == "native") return Codec::native;
  if (name == "wslay") return Codec::wslay;
  throw std::invalid_argument("unknown codec '" + std::string(name) + "' (native or wslay)");
}

std::unique_ptr<Session> make_session(Loop& loop, Stream stream, Role role, SessionOptions options,
                                      SessionHandlers handlers) {
  if (options.codec == Codec::wslay)
    return std::make_unique<WslaySession>(loop, std::move(stream), role, options,
                                          std::move(handlers));
  return std::make_unique<NativeSession>(loop, std::move(stream), role, options,
                                         std::move(handlers));
}

}  // namespace lb::ws
