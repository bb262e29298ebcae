#include "protocols/ws/session.hpp"

#include <stdexcept>
#include <string>

#include "protocols/ws/native_session.hpp"
#ifdef LOOPBENCH_HAVE_WSLAY
#include "protocols/ws/wslay_session.hpp"
#endif

namespace lb::ws {

const char* codec_name(Codec codec) {
  return codec == Codec::native ? "native" : "wslay";
}

Codec parse_codec(std::string_view name) {
  if (name == "native") return Codec::native;
  if (name == "wslay") return Codec::wslay;
  throw std::invalid_argument("unknown codec '" + std::string(name) + "' (native or wslay)");
}

std::vector<Codec> built_codecs() {
#ifdef LOOPBENCH_HAVE_WSLAY
  return {Codec::native, Codec::wslay};
#else
  return {Codec::native};
#endif
}

std::vector<std::string> built_codec_names() {
  std::vector<std::string> names;
  for (const auto codec : built_codecs())
    names.emplace_back(codec_name(codec));
  return names;
}

std::unique_ptr<Session> make_session(Loop& loop, Stream stream, Role role, SessionOptions options,
                                      SessionHandlers handlers) {
  if (options.codec == Codec::wslay) {
#ifdef LOOPBENCH_HAVE_WSLAY
    return std::make_unique<WslaySession>(loop, std::move(stream), role, options,
                                          std::move(handlers));
#else
    throw std::invalid_argument("this build has no wslay codec");
#endif
  }
  return std::make_unique<NativeSession>(loop, std::move(stream), role, options,
                                         std::move(handlers));
}

}  // namespace lb::ws
