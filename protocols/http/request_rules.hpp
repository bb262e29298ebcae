#pragma once
// What RFC 9112 and RFC 9110 say a server must refuse in a request head,
// checked on the whole header block (request line through the blank line)
// before llhttp parses it, so that every refusal has its own status and
// reason. llhttp 8.1 (strict) still parses the block afterwards.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lb::http {

struct RequestLimits {
  std::size_t request_line = 4096;      // longer: 414
  std::size_t header_bytes = 8 * 1024;  // the header block; trailers too: 431
  std::uint64_t body = 1 << 20;         // a declared or chunked body: 413
  std::size_t chunk_extensions = 1024;  // all of one request's chunk extensions: 400
};

struct HeadVerdict {
  int status = 0;  // 0: acceptable
  std::string reason;
  bool expect_continue = false;  // HTTP/1.1 with "Expect: 100-continue"
};

// RFC 9110 token characters: what methods and header names are made of.
bool is_token(std::string_view s);
// Whether a comma-separated header value (Connection, Upgrade) holds `token`,
// compared without case, whitespace around items ignored.
bool list_has_token(std::string_view list, std::string_view token);

// Line ends: a CR not followed by LF, an LF not preceded by CR, and a line
// that starts with space or tab (obs-fold, or whitespace after the request
// line). Checks a whole or partial block; empty when fine, else the reason.
std::string check_line_ends(std::string_view block);

// The request line, the header lines, Host, Content-Length,
// Transfer-Encoding and Expect of a complete block whose line ends passed.
HeadVerdict check_request_head(std::string_view block, const RequestLimits& limits);

// RFC 9112 §3.2: uri-host [ ":" port ], where uri-host is an IP literal in
// brackets, an IPv4 address or a reg-name; empty is valid.
bool valid_host(std::string_view value);

// The path and query of an origin-form target ("/x?y") or of an
// absolute-form one ("http://host/x?y", whose host is ignored).
std::string_view origin_form(std::string_view target);

}  // namespace lb::http
