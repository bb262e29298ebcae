#pragma once
// --codec and --server-codec: which WebSocket framing a command's sessions
// use (protocols/ws/session.hpp), shared by bench ws and bench stream.
#include <string>
#include <vector>

#include "protocols/ws/session.hpp"

namespace lb {

// "native", "wslay", a comma list or "all"; UsageError naming `option`.
std::vector<ws::Codec> codec_list(const std::string& option, const std::string& text);
// Exactly one codec.
ws::Codec codec_option(const std::string& option, const std::string& text);

}  // namespace lb
