#include "tools/options/request_target.hpp"

namespace lb {

RequestTarget split_target(std::string_view target) {
  RequestTarget out;
  const auto q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    out.query.emplace_back(pair.substr(0, eq),
                           eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
  }
  return out;
}

}  // namespace lb
