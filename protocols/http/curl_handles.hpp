#pragma once
// RAII for libcurl handles, and process-wide curl_global_init.
#include <curl/curl.h>

#include <memory>

namespace lb::http {

struct EasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiCleanup {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;
using MultiHandle = std::unique_ptr<CURLM, MultiCleanup>;

// curl_global_init once, before any thread uses curl (thread-safe here).
void ensure_curl_global_init();

// A new easy handle (throws std::runtime_error if libcurl cannot make one).
EasyHandle make_easy();

}  // namespace lb::http
