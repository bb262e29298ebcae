#pragma once
// RAII for libcurl handles, and process-wide curl_global_init.
#include <curl/curl.h>

#include <memory>
#include <stdexcept>
#include <string>

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

// curl_easy_setopt; a libcurl that refuses the option or its value (too
// old, built without it, out of memory) is a setup error: std::runtime_error.
template <typename Value>
void set_easy_option(CURL* easy, CURLoption option, Value value) {
  const CURLcode rc = curl_easy_setopt(easy, option, value);
  if (rc != CURLE_OK)
    throw std::runtime_error(std::string("curl_easy_setopt: ") + curl_easy_strerror(rc));
}

}  // namespace lb::http
