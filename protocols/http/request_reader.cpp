#include "protocols/http/request_reader.hpp"

#include <algorithm>
#include <cctype>

namespace lb::http {
namespace {

RequestReader& self_of(llhttp_t* p) {
  return *static_cast<RequestReader*>(p->data);
}

// RFC 9110 token characters, what a header name is made of.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (std::isalnum(c)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string check_header_block(std::string_view block) {
  for (std::size_t i = 0; i < block.size(); ++i) {
    const char c = block[i];
    if (c == '\r' && (i + 1 >= block.size() || block[i + 1] != '\n')) return "bare CR";
    if (c == '\n' && (i == 0 || block[i - 1] != '\r')) return "bare LF";
    // After a line break, a space or tab starts an obs-fold continuation
    // (the request line itself cannot be followed by one either).
    if (c == '\n' && i + 1 < block.size() && (block[i + 1] == ' ' || block[i + 1] == '\t'))
      return "folded header line";
  }
  return {};
}

RequestReader::RequestReader(std::size_t max_header_bytes) : max_header_bytes_(max_header_bytes) {
  llhttp_settings_init(&settings_);
  settings_.on_url = &RequestReader::on_url;
  settings_.on_method = &RequestReader::on_method;
  settings_.on_header_field = &RequestReader::on_header_field;
  settings_.on_header_value = &RequestReader::on_header_value;
  settings_.on_headers_complete = &RequestReader::on_headers_complete;
  settings_.on_message_complete = &RequestReader::on_message_complete;
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  parser_.data = this;
}

int RequestReader::fail(int status, std::string reason) {
  error_ = status;
  error_reason_ = std::move(reason);
  buffer_.clear();
  return error_;
}

int RequestReader::on_url(llhttp_t* p, const char* at, std::size_t n) {
  self_of(p).current_.target.append(at, n);
  return 0;
}

int RequestReader::on_method(llhttp_t* p, const char* at, std::size_t n) {
  self_of(p).current_.method.append(at, n);
  return 0;
}

int RequestReader::on_header_field(llhttp_t* p, const char* at, std::size_t n) {
  auto& self = self_of(p);
  // llhttp 8.1 accepts spaces in header names unless strict.
  if (!is_token(std::string_view(at, n))) return -1;
  self.field_ = lower(std::string_view(at, n));
  if (self.field_ == "content-length") self.saw_content_length_ = true;
  if (self.field_ == "transfer-encoding") self.saw_transfer_encoding_ = true;
  return 0;
}

int RequestReader::on_header_value(llhttp_t* p, const char* at, std::size_t n) {
  auto& self = self_of(p);
  std::string_view v(at, n);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  self.current_.headers.emplace_back(self.field_, std::string(v));
  return 0;
}

int RequestReader::on_headers_complete(llhttp_t* p) {
  auto& self = self_of(p);
  // llhttp refuses this pair too; keep the rule here where it is visible.
  if (self.saw_content_length_ && self.saw_transfer_encoding_) return -1;
  self.current_.keep_alive = llhttp_should_keep_alive(p) != 0;
  self.current_.upgrade = llhttp_get_upgrade(p) != 0;
  // An upgrade request ends here: what follows belongs to the new protocol.
  return self.current_.upgrade ? 1 : 0;
}

// Pausing here makes llhttp_execute() stop right after this message, so the
// next header block is checked before llhttp parses it.
int RequestReader::on_message_complete(llhttp_t* p) {
  // llhttp takes "GET /x" without a version as HTTP/0.9; we serve HTTP/1.x.
  if (llhttp_get_http_major(p) != 1) return -1;
  self_of(p).message_done_ = true;
  return HPE_PAUSED;
}

long RequestReader::execute(const char* data, std::size_t n) {
  message_done_ = false;
  const llhttp_errno_t rc = llhttp_execute(&parser_, data, n);
  if (rc == HPE_OK) return static_cast<long>(n);
  if (rc == HPE_PAUSED && message_done_) {
    const long used = llhttp_get_error_pos(&parser_) - data;
    llhttp_resume(&parser_);
    return used;
  }
  return -1;
}

int RequestReader::feed(std::span<const std::byte> data, const OnRequest& on_request) {
  if (error_) return error_;
  if (upgraded_) return 0;
  buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
  for (;;) {
    if (!in_body_) {
      const auto end = buffer_.find("\r\n\r\n");
      const std::size_t block_bytes = end == std::string::npos ? buffer_.size() : end + 4;
      if (block_bytes > max_header_bytes_)
        return fail(431, "header block over " + std::to_string(max_header_bytes_) + " bytes");
      // A bare LF can hide the end of the block; check what we have so far.
      if (auto why = check_header_block(std::string_view(buffer_).substr(0, block_bytes));
          !why.empty() && (end != std::string::npos || why != "bare CR"))
        return fail(400, why);
      if (end == std::string::npos) {
        // Bytes that cannot start a request line (a TLS ClientHello sent to
        // this plain port, say) are refused now, not at a blank line that
        // may never come.
        const std::string_view head(buffer_);
        const auto method = head.substr(0, std::min(head.find(' '), head.size()));
        if (!method.empty() && !is_token(method)) return fail(400, "no HTTP method");
        return 0;
      }
      current_ = Request{};
      saw_content_length_ = saw_transfer_encoding_ = false;
      const long used = execute(buffer_.data(), block_bytes);
      if (used < 0) return fail(400, llhttp_get_error_reason(&parser_));
      if (message_done_) {
        buffer_.erase(0, static_cast<std::size_t>(used));
        upgraded_ = current_.upgrade;
        on_request(current_);
        if (error_ || upgraded_) return error_;
        continue;
      }
      buffer_.erase(0, block_bytes);
      in_body_ = true;
    }
    if (buffer_.empty()) return 0;
    const long used = execute(buffer_.data(), buffer_.size());
    if (used < 0) return fail(400, llhttp_get_error_reason(&parser_));
    buffer_.erase(0, static_cast<std::size_t>(used));
    if (!message_done_) return 0;
    in_body_ = false;
    on_request(current_);
  }
}

}  // namespace lb::http
