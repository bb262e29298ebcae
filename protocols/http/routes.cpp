#include "protocols/http/routes.hpp"

#include "protocols/http/request_rules.hpp"

#include <charconv>
#include <cstring>
#include <random>
#include <string>

namespace lb::http {
namespace {

SharedBytes make_random(std::size_t n) {
  auto bytes = std::make_shared<Bytes>(n);
  std::mt19937_64 rng(0x68747470);
  for (std::size_t i = 0; i < n; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(bytes->data() + i, &v, std::min<std::size_t>(8, n - i));
  }
  return bytes;
}

const char* reason_of(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

std::string head(int status, std::uint64_t length, bool keep_alive, const char* type) {
  std::string h = "HTTP/1.1 " + std::to_string(status) + " " + reason_of(status) +
                  "\r\nServer: loopbench\r\nContent-Type: " + type +
                  "\r\nContent-Length: " + std::to_string(length) + "\r\n";
  if (!keep_alive) h += "Connection: close\r\n";
  return h + "\r\n";
}

// "/bytes/N" with 0 <= N <= kMaxBytes; npos otherwise.
std::uint64_t bytes_route(std::string_view target) {
  constexpr std::string_view prefix = "/bytes/";
  if (target.substr(0, prefix.size()) != prefix) return UINT64_MAX;
  const auto digits = target.substr(prefix.size());
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() ||
      n > Routes::kMaxBytes)
    return UINT64_MAX;
  return n;
}

}  // namespace

Routes::Routes()
    : body_(make_random(kMaxBytes)),
      head_1k_(copy_slice(head(200, 1024, true, "application/octet-stream"))),
      head_20k_(copy_slice(head(200, 20 * 1024, true, "application/octet-stream"))),
      head_200k_(copy_slice(head(200, 200 * 1024, true, "application/octet-stream"))) {}

std::uint64_t Routes::route_size(std::string_view name) {
  if (name == "1k") return 1024;
  if (name == "20k") return 20 * 1024;
  if (name == "200k") return 200 * 1024;
  return UINT64_MAX;
}

Resource Routes::resource(std::string_view method, std::string_view target) const {
  if (method != "GET" && method != "HEAD") return {405, "text/plain", 0, {}};
  const std::string_view origin = origin_form(target);
  const std::string_view path = origin.substr(0, origin.find('?'));
  std::uint64_t n = path.size() > 1 ? route_size(path.substr(1)) : UINT64_MAX;
  if (n == UINT64_MAX) n = bytes_route(path);
  const bool get = method == "GET";
  if (n == UINT64_MAX) {
    static const SharedBytes kNotFound = [] {
      constexpr std::string_view text = "not found\n";
      const auto b = as_bytes(text);
      return std::make_shared<const Bytes>(b.begin(), b.end());
    }();
    return {404, "text/plain", kNotFound->size(), get ? slice_of(kNotFound) : Slice{}};
  }
  return {200, "application/octet-stream", n, get && n > 0 ? slice_of(body_, 0, n) : Slice{}};
}

BufferList Routes::respond(std::string_view method, std::string_view target,
                           bool keep_alive) const {
  Resource r = resource(method, target);
  const std::uint64_t n = r.length;
  const bool fixed =
      r.status == 200 && keep_alive && (n == 1024 || n == 20 * 1024 || n == 200 * 1024);
  BufferList out{fixed ? (n == 1024        ? head_1k_
                          : n == 20 * 1024 ? head_20k_
                                           : head_200k_)
                       : copy_slice(head(r.status, n, keep_alive, r.content_type))};
  if (r.body.size) out.push_back(std::move(r.body));
  return out;
}

BufferList Routes::continue_response() {
  static const std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  return {copy_slice(kContinue)};
}

BufferList Routes::error(int status) {
  return {copy_slice(head(status, 0, false, "text/plain"))};
}

}  // namespace lb::http
