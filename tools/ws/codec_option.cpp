#include "tools/ws/codec_option.hpp"

#include "tools/common/options.hpp"
#include "tools/common/usage_error.hpp"

namespace lb {

std::vector<ws::Codec> codec_list(const std::string& option, const std::string& text) {
  std::vector<ws::Codec> out;
  for (const auto& name : checked_list(option, text, {"native", "wslay"}, "codec"))
    out.push_back(ws::parse_codec(name));
  return out;
}

ws::Codec codec_option(const std::string& option, const std::string& text) {
  const auto list = codec_list(option, text);
  if (list.size() != 1) throw UsageError(option + " takes one codec: native or wslay");
  return list.front();
}

}  // namespace lb
