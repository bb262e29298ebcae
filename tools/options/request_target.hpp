#pragma once
// "/path?a=1&b=2" split into the path and its query pairs (no percent
// decoding: our endpoints take plain words and numbers).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lb {

struct RequestTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // in order
};

RequestTarget split_target(std::string_view target);

}  // namespace lb
