// CurlMulti passes libcurl's multi errors on as std::error_code instead of
// dropping them.
#include <doctest/doctest.h>

#include "backends/registry.hpp"
#include "protocols/http/curl_handles.hpp"
#include "protocols/http/curl_multi.hpp"

namespace lb::http {

TEST_CASE("CURLMcode values become curl_multi error codes; CURLM_OK none") {
  CHECK_FALSE(make_multi_error(CURLM_OK));
  const auto ec = make_multi_error(CURLM_BAD_EASY_HANDLE);
  CHECK(ec);
  CHECK(std::string(ec.category().name()) == "curl_multi");
  CHECK(ec.message() == curl_multi_strerror(CURLM_BAD_EASY_HANDLE));
}

TEST_CASE("CurlMulti::add reports a handle curl refuses") {
  auto loop = make_loop("libuv");
  REQUIRE(loop);
  int done = 0;
  CurlMulti multi(*loop, 1, [&](CURL*, CURLcode) { ++done; });
  EasyHandle easy = make_easy();
  set_easy_option(easy.get(), CURLOPT_URL, "http://127.0.0.1:9/");
  CHECK_FALSE(multi.add(easy.get()));
  const auto again = multi.add(easy.get());
  CHECK(again == make_multi_error(CURLM_ADDED_ALREADY));
  CHECK_FALSE(multi.remove(easy.get()));
  CHECK(done == 0);
}

TEST_CASE("set_easy_option throws what libcurl says of a refused value") {
  EasyHandle easy = make_easy();
  CHECK_THROWS_WITH(set_easy_option(easy.get(), CURLOPT_HTTP_VERSION, 999L),
                    doctest::Contains("curl_easy_setopt"));
}

}  // namespace lb::http
