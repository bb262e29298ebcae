#include "protocols/http/request_rules.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace lb::http {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_digit);
}

bool is_unreserved_or_sub_delim(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
}

// reg-name or IPv4address: unreserved, pct-encoded and sub-delims.
bool valid_reg_name(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_unreserved_or_sub_delim(s[i])) continue;
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

// What is inside the brackets of an IP-literal: an IPv6 address (hex
// digits, colons, and dots for an embedded IPv4) or IPvFuture.
bool valid_ip_literal(std::string_view s) {
  if (s.empty()) return false;
  if (s[0] == 'v' || s[0] == 'V') {
    const auto dot = s.find('.');
    if (dot == std::string_view::npos || dot < 2 || dot + 1 == s.size()) return false;
    return std::all_of(s.begin() + 1, s.begin() + static_cast<long>(dot),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }) &&
           std::all_of(s.begin() + static_cast<long>(dot) + 1, s.end(),
                       [](char c) { return is_unreserved_or_sub_delim(c) || c == ':'; });
  }
  return s.find(':') != std::string_view::npos && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
         });
}

// scheme ":" as RFC 3986 spells it: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
std::size_t scheme_length(std::string_view target) {
  if (target.empty() || !std::isalpha(static_cast<unsigned char>(target[0]))) return 0;
  std::size_t i = 1;
  while (i < target.size() && (std::isalnum(static_cast<unsigned char>(target[i])) ||
                               target[i] == '+' || target[i] == '-' || target[i] == '.'))
    ++i;
  return i < target.size() && target[i] == ':' ? i : 0;
}

HeadVerdict refuse(int status, std::string reason) {
  return HeadVerdict{status, std::move(reason), false};
}

// Content-Length's value over `limit` (overflowing 64 bits included).
bool over(std::string_view digits, std::uint64_t limit) {
  while (digits.size() > 1 && digits.front() == '0')
    digits.remove_prefix(1);
  if (digits.size() > 19) return true;
  std::uint64_t n = 0;
  for (char c : digits)
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n > limit;
}

HeadVerdict check_request_line(std::string_view line, const RequestLimits& limits, bool& http10) {
  if (line.size() > limits.request_line)
    return refuse(414, "request line over " + std::to_string(limits.request_line) + " bytes");
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return refuse(400, "request line is not method SP target SP version");
  const auto method = line.substr(0, sp1);
  const auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto version = line.substr(sp2 + 1);
  if (!is_token(method)) return refuse(400, "method is not a token");
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) ||
      version[6] != '.' || !is_digit(version[7]))
    return refuse(400, "version is not HTTP/DIGIT.DIGIT");
  if (version[5] != '1') return refuse(505, "HTTP major version " + std::string(1, version[5]));
  http10 = version[7] == '0';
  if (target.empty()) return refuse(400, "empty request target");
  for (char c : target)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
      return refuse(400, "request target outside visible ASCII");
  if (method == "CONNECT") {
    const auto colon = target.rfind(':');
    if (target[0] == '/' || colon == std::string_view::npos || colon + 1 == target.size() ||
        !valid_host(target))
      return refuse(400, "CONNECT target is not host:port");
  } else if (target == "*") {
    if (method != "OPTIONS") return refuse(400, "asterisk-form target without OPTIONS");
  } else if (target[0] != '/' && !scheme_length(target)) {
    return refuse(400, "request target in no form a server accepts");
  }
  return {};
}

// Transfer-Encoding's codings, in order: chunked must come last, once;
// nothing else is decoded here.
HeadVerdict check_transfer_codings(const std::vector<std::string_view>& values) {
  std::vector<std::string_view> codings;
  for (auto value : values) {
    while (!value.empty()) {
      const auto comma = value.find(',');
      const auto item = trim_ows(value.substr(0, comma));
      if (!item.empty()) codings.push_back(item);
      value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    }
  }
  if (codings.empty()) return refuse(400, "empty Transfer-Encoding");
  if (!iequal(codings.back(), "chunked")) return refuse(400, "chunked is not the final coding");
  for (std::size_t i = 0; i + 1 < codings.size(); ++i)
    if (iequal(codings[i], "chunked")) return refuse(400, "chunked applied more than once");
  if (codings.size() > 1)
    return refuse(501, "transfer coding '" + std::string(codings[0]) + "' is not supported");
  return {};
}

}  // namespace

bool list_has_token(std::string_view list, std::string_view token) {
  for (std::size_t at = 0; at <= list.size();) {
    const std::size_t comma = std::min(list.find(',', at), list.size());
    if (iequal(trim_ows(list.substr(at, comma - at)), token)) return true;
    at = comma + 1;
  }
  return false;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (std::isalnum(c)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

std::string check_line_ends(std::string_view block) {
  for (std::size_t i = 0; i < block.size(); ++i) {
    const char c = block[i];
    if (c == '\r' && (i + 1 >= block.size() || block[i + 1] != '\n')) return "bare CR";
    if (c == '\n' && (i == 0 || block[i - 1] != '\r')) return "bare LF";
    if (c == '\n' && i + 1 < block.size() && (block[i + 1] == ' ' || block[i + 1] == '\t'))
      return "line starting with whitespace (obs-fold)";
  }
  return {};
}

bool valid_host(std::string_view value) {
  std::string_view host = value, port;
  if (!value.empty() && value[0] == '[') {
    const auto close = value.find(']');
    if (close == std::string_view::npos || !valid_ip_literal(value.substr(1, close - 1)))
      return false;
    const auto rest = value.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return false;
    return rest.empty() || all_digits(rest.substr(1));
  }
  if (const auto colon = value.find(':'); colon != std::string_view::npos) {
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
  }
  return valid_reg_name(host) && all_digits(port);
}

std::string_view origin_form(std::string_view target) {
  const std::size_t scheme = scheme_length(target);
  if (!scheme || target.substr(scheme, 3) != "://") return target;
  const auto rest = target.substr(scheme + 3);
  const auto path = rest.find_first_of("/?");
  if (path == std::string_view::npos) return "/";
  return rest.substr(path);
}

HeadVerdict check_request_head(std::string_view block, const RequestLimits& limits) {
  if (block.size() > limits.header_bytes)
    return refuse(431, "header block over " + std::to_string(limits.header_bytes) + " bytes");
  auto next_line = [&block] {
    const auto end = block.find("\r\n");
    const auto line = block.substr(0, end);
    block.remove_prefix(end == std::string_view::npos ? block.size() : end + 2);
    return line;
  };
  bool http10 = false;
  if (auto v = check_request_line(next_line(), limits, http10); v.status) return v;

  int hosts = 0;
  std::string_view host;
  std::vector<std::string_view> lengths, codings;
  std::string_view expect;
  bool has_expect = false;
  for (auto line = next_line(); !line.empty(); line = next_line()) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return refuse(400, "header line without a colon");
    const auto name = line.substr(0, colon);
    if (!is_token(name)) return refuse(400, "header name is not a token (space before ':'?)");
    const auto value = trim_ows(line.substr(colon + 1));
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return refuse(400, "control character in the value of " + std::string(name));
    if (iequal(name, "host")) {
      ++hosts;
      host = value;
    } else if (iequal(name, "content-length")) {
      lengths.push_back(value);
    } else if (iequal(name, "transfer-encoding")) {
      codings.push_back(value);
    } else if (iequal(name, "expect")) {
      has_expect = true;
      expect = value;
    }
  }

  if (hosts == 0 && !http10) return refuse(400, "HTTP/1.1 request without Host");
  if (hosts > 1) return refuse(400, "more than one Host");
  if (hosts == 1 && !valid_host(host)) return refuse(400, "Host is not host[:port]");

  if (lengths.size() > 1) return refuse(400, "more than one Content-Length");
  if (!lengths.empty()) {
    if (lengths[0].empty() || !all_digits(lengths[0]))
      return refuse(400, "Content-Length is not a number");
    if (over(lengths[0], limits.body))
      return refuse(413, "declared body over " + std::to_string(limits.body) + " bytes");
  }
  if (!codings.empty()) {
    if (!lengths.empty())
      return refuse(400, "Content-Length with Transfer-Encoding (request smuggling)");
    if (http10) return refuse(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (auto v = check_transfer_codings(codings); v.status) return v;
  }

  HeadVerdict verdict;
  if (has_expect) {
    if (!iequal(expect, "100-continue"))
      return refuse(417, "expectation '" + std::string(expect) + "' is not supported");
    // RFC 9110 §10.1.1: an HTTP/1.0 request's 100-continue is ignored.
    verdict.expect_continue = !http10;
  }
  return verdict;
}

}  // namespace lb::http
