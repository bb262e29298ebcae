#include "tools/ws/codec_option.hpp"

#include <algorithm>

#include "tools/options/options.hpp"
#include "tools/options/usage_error.hpp"

namespace lb {

std::vector<ws::Codec> codec_list(const std::string& option, const std::string& text) {
  const auto items = split_list(text);
  if (std::find(items.begin(), items.end(), "all") != items.end()) return ws::built_codecs();
  const auto built = ws::built_codec_names();
  std::vector<ws::Codec> out;
  for (const auto& name : checked_list(option, text, {"native", "wslay"}, "codec")) {
    if (std::find(built.begin(), built.end(), name) == built.end())
      throw UsageError(option + ": this build has no " + name +
                       " codec (built without its sources; see BUILD.md)");
    out.push_back(ws::parse_codec(name));
  }
  return out;
}

ws::Codec codec_option(const std::string& option, const std::string& text) {
  const auto list = codec_list(option, text);
  if (list.size() != 1) throw UsageError(option + " takes one codec: native or wslay");
  return list.front();
}

}  // namespace lb
