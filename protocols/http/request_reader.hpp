#pragma once
// Server side of HTTP/1.1 request parsing: bytes in (split anywhere), whole
// requests out, in order, with llhttp doing the grammar. Before llhttp sees a
// header block we check what llhttp 8.1 lets through: bare CR or LF, folded
// header lines (obs-fold), and the header size limit. Request bodies
// (Content-Length or chunked) are read and discarded; Content-Length with
// Transfer-Encoding is refused (request smuggling).
#include <llhttp.h>

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lb::http {

struct Request {
  std::string method;
  std::string target;
  bool keep_alive = true;
  bool upgrade = false;  // Connection: upgrade with an Upgrade header
  // Names lower-cased, values as sent (without surrounding whitespace).
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header of that (lower-case) name, or empty.
  std::string_view header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (n == name) return v;
    return {};
  }
};

class RequestReader {
 public:
  using OnRequest = std::function<void(const Request&)>;
  static constexpr std::size_t kDefaultMaxHeaderBytes = 8 * 1024;

  explicit RequestReader(std::size_t max_header_bytes = kDefaultMaxHeaderBytes);
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Feeds bytes; calls on_request for every request completed by them.
  // Returns 0, or the HTTP status to answer with before closing (400, 431,
  // 501); after an error the reader accepts nothing more. on_request may not
  // destroy the reader.
  int feed(std::span<const std::byte> data, const OnRequest& on_request);
  // After an upgrade request the reader stops: the bytes after it belong to
  // the new protocol and are handed over here.
  bool upgraded() const { return upgraded_; }
  std::string take_unread() { return std::exchange(buffer_, {}); }
  // Bytes of an unfinished request held (a stalled client shows here).
  bool mid_request() const { return !buffer_.empty() || in_body_; }
  const std::string& error_reason() const { return error_reason_; }

 private:
  static int on_url(llhttp_t* p, const char* at, std::size_t n);
  static int on_method(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n);
  static int on_headers_complete(llhttp_t* p);
  static int on_message_complete(llhttp_t* p);
  int fail(int status, std::string reason);
  // Runs llhttp over data; returns bytes consumed up to the end of a message
  // (the parser pauses there), or all of them; -1 on a parse error.
  long execute(const char* data, std::size_t n);

  std::size_t max_header_bytes_;
  llhttp_t parser_{};
  llhttp_settings_t settings_{};
  std::string buffer_;  // unconsumed input
  bool in_body_ = false;
  bool upgraded_ = false;
  bool message_done_ = false;
  int error_ = 0;
  std::string error_reason_;
  Request current_;
  std::string field_;  // header name being read, lower-case
  bool saw_content_length_ = false;
  bool saw_transfer_encoding_ = false;
};

// Checks a header block (request line through the blank line) for what
// HTTP/1.1 forbids and llhttp 8.1 may accept: a CR not followed by LF, an LF
// not preceded by CR, and continuation lines starting with space or tab.
// Returns an empty string when fine, else the reason.
std::string check_header_block(std::string_view block);

}  // namespace lb::http
