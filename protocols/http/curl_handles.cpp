#include "protocols/http/curl_handles.hpp"

#include <mutex>
#include <stdexcept>

namespace lb::http {

void ensure_curl_global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

EasyHandle make_easy() {
  ensure_curl_global_init();
  EasyHandle easy(curl_easy_init());
  if (!easy) throw std::runtime_error("curl_easy_init failed");
  return easy;
}

}  // namespace lb::http
