#pragma once
// Server side of HTTP/1.1 request parsing: bytes in (split anywhere), whole
// requests out, in order, with llhttp doing the grammar. Before llhttp sees a
// header block, request_rules checks it whole (what RFC 9112 says a server
// must refuse, each with its own status). Request bodies (Content-Length or
// chunked) are read and discarded, within RequestLimits.
#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/http/request_rules.hpp"

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

  explicit RequestReader(RequestLimits limits = {});
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Called when the head of a request that expects 100-continue has been
  // read and its body is next: the server sends "100 Continue", or the
  // client waits for it before sending the body.
  void on_continue(std::function<void()> f) { on_continue_ = std::move(f); }
  // Feeds bytes; calls on_request for every request completed by them.
  // Returns 0, or the HTTP status to answer with before closing (400, 413,
  // 414, 417, 431, 501, 505); after an error the reader accepts nothing
  // more. on_request may not destroy the reader.
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
  static int on_body(llhttp_t* p, const char* at, std::size_t n);
  static int on_chunk_header(llhttp_t* p);
  int check_chunk_end(const char* from);
  static int on_chunk_extension(llhttp_t* p, const char* at, std::size_t n);
  int fail(int status, std::string reason);
  // A refusal found inside an llhttp callback, returned once llhttp stops.
  int fail_in_callback(int status, std::string reason);
  int parse_error();
  int read_head();
  // Runs llhttp over data; returns bytes consumed up to the end of a message
  // (the parser pauses there), or all of them; -1 on a parse error.
  long execute(const char* data, std::size_t n);

  RequestLimits limits_;
  std::function<void()> on_continue_;
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
  // Of the request being read: body bytes its chunks declared, and bytes of
  // chunk extensions and trailers.
  std::uint64_t chunked_bytes_ = 0;
  std::size_t extension_bytes_ = 0;
  std::size_t trailer_bytes_ = 0;
  std::size_t crlf_due_ = 0;        // bytes of a chunk's closing CRLF not seen yet
  const char* exec_end_ = nullptr;  // end of what llhttp is parsing now
  int callback_status_ = 0;
  std::string callback_reason_;
};

}  // namespace lb::http
