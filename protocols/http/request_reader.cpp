#include "protocols/http/request_reader.hpp"

#include <algorithm>
#include <cctype>

namespace lb::http {
namespace {

RequestReader& self_of(llhttp_t* p) {
  return *static_cast<RequestReader*>(p->data);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

RequestReader::RequestReader(RequestLimits limits) : limits_(limits) {
  llhttp_settings_init(&settings_);
  settings_.on_url = &RequestReader::on_url;
  settings_.on_method = &RequestReader::on_method;
  settings_.on_header_field = &RequestReader::on_header_field;
  settings_.on_header_value = &RequestReader::on_header_value;
  settings_.on_headers_complete = &RequestReader::on_headers_complete;
  settings_.on_message_complete = &RequestReader::on_message_complete;
  settings_.on_body = &RequestReader::on_body;
  settings_.on_chunk_header = &RequestReader::on_chunk_header;
  settings_.on_chunk_extension_name = &RequestReader::on_chunk_extension;
  settings_.on_chunk_extension_value = &RequestReader::on_chunk_extension;
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  parser_.data = this;
}

int RequestReader::fail(int status, std::string reason) {
  error_ = status;
  error_reason_ = std::move(reason);
  buffer_.clear();
  return error_;
}

int RequestReader::fail_in_callback(int status, std::string reason) {
  callback_status_ = status;
  callback_reason_ = std::move(reason);
  return -1;
}

// After llhttp stopped on an error: the refusal a callback chose, 501 for a
// method llhttp does not know (request_rules has checked it is a token),
// else 400 with llhttp's reason.
int RequestReader::parse_error() {
  if (callback_status_) return fail(callback_status_, callback_reason_);
  if (llhttp_get_errno(&parser_) == HPE_INVALID_METHOD)
    return fail(501, "method '" + buffer_.substr(0, buffer_.find(' ')) + "' is not implemented");
  return fail(400, llhttp_get_error_reason(&parser_));
}

int RequestReader::on_url(llhttp_t* p, const char* at, std::size_t n) {
  self_of(p).current_.target.append(at, n);
  return 0;
}

int RequestReader::on_method(llhttp_t* p, const char* at, std::size_t n) {
  self_of(p).current_.method.append(at, n);
  return 0;
}

// In the head, names go with their values into the request; after a
// chunked body they are trailers, only counted.
int RequestReader::on_header_field(llhttp_t* p, const char* at, std::size_t n) {
  auto& self = self_of(p);
  if (self.in_body_) {
    self.trailer_bytes_ += n;
    if (self.trailer_bytes_ > self.limits_.header_bytes)
      return self.fail_in_callback(
          431, "trailers over " + std::to_string(self.limits_.header_bytes) + " bytes");
    return 0;
  }
  self.field_ = lower(std::string_view(at, n));
  return 0;
}

int RequestReader::on_header_value(llhttp_t* p, const char* at, std::size_t n) {
  auto& self = self_of(p);
  if (self.in_body_) return on_header_field(p, at, n);
  std::string_view v(at, n);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  self.current_.headers.emplace_back(self.field_, std::string(v));
  return 0;
}

int RequestReader::on_headers_complete(llhttp_t* p) {
  auto& self = self_of(p);
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

// llhttp holds the chunk's size in content_length while this runs.
int RequestReader::on_chunk_header(llhttp_t* p) {
  auto& self = self_of(p);
  self.chunked_bytes_ += p->content_length;
  if (p->content_length > self.limits_.body || self.chunked_bytes_ > self.limits_.body)
    return self.fail_in_callback(
        413, "chunked body over " + std::to_string(self.limits_.body) + " bytes");
  return 0;
}

int RequestReader::on_chunk_extension(llhttp_t* p, const char*, std::size_t n) {
  auto& self = self_of(p);
  self.extension_bytes_ += n;
  if (self.extension_bytes_ > self.limits_.chunk_extensions)
    return self.fail_in_callback(
        400, "chunk extensions over " + std::to_string(self.limits_.chunk_extensions) + " bytes");
  return 0;
}

// llhttp 8.1 skips the two bytes after a chunk's data without looking at
// them (llhttp 9 checks them): a chunk must end in CRLF.
int RequestReader::on_body(llhttp_t* p, const char* at, std::size_t n) {
  auto& self = self_of(p);
  if (!(p->flags & F_CHUNKED) || p->content_length != 0) return 0;
  self.crlf_due_ = 2;
  return self.check_chunk_end(at + n);
}

int RequestReader::check_chunk_end(const char* from) {
  for (; crlf_due_ > 0 && from < exec_end_; ++from, --crlf_due_)
    if (*from != (crlf_due_ == 2 ? '\r' : '\n'))
      return fail_in_callback(400, "chunk data not followed by CRLF");
  return 0;
}

long RequestReader::execute(const char* data, std::size_t n) {
  message_done_ = false;
  exec_end_ = data + n;
  if (crlf_due_ && check_chunk_end(data)) return -1;
  const llhttp_errno_t rc = llhttp_execute(&parser_, data, n);
  if (rc == HPE_OK) return static_cast<long>(n);
  if (rc == HPE_PAUSED && message_done_) {
    const long used = llhttp_get_error_pos(&parser_) - data;
    llhttp_resume(&parser_);
    return used;
  }
  return -1;
}

// Reads the next request's head from buffer_: 0 with in_body_ or
// message_done_ set when it is all there, 0 with neither while more is
// needed, else the refusal.
int RequestReader::read_head() {
  message_done_ = false;
  // RFC 9112 §2.2: empty lines before a request line are ignored.
  std::size_t blank = 0;
  while (buffer_.compare(blank, 2, "\r\n") == 0)
    blank += 2;
  buffer_.erase(0, blank);
  const auto line_end = buffer_.find("\r\n");
  if ((line_end == std::string::npos ? buffer_.size() : line_end) > limits_.request_line)
    return fail(414, "request line over " + std::to_string(limits_.request_line) + " bytes");
  const auto end = buffer_.find("\r\n\r\n");
  const std::size_t block_bytes = end == std::string::npos ? buffer_.size() : end + 4;
  if (block_bytes > limits_.header_bytes)
    return fail(431, "header block over " + std::to_string(limits_.header_bytes) + " bytes");
  const std::string_view block = std::string_view(buffer_).substr(0, block_bytes);
  // A bare LF can hide the end of the block; check what we have so far
  // (a CR at the very end may be followed by its LF later).
  if (auto why = check_line_ends(block);
      !why.empty() && (end != std::string::npos || why != "bare CR"))
    return fail(400, why);
  if (end == std::string::npos) {
    // Bytes that cannot start a request line (a TLS ClientHello sent to this
    // plain port, say) are refused now, not at a blank line that may never
    // come.
    const auto method = block.substr(0, std::min(block.find_first_of(" \r"), block.size()));
    if (!method.empty() && !is_token(method)) return fail(400, "no HTTP method");
    return 0;
  }
  auto verdict = check_request_head(block, limits_);
  if (verdict.status) return fail(verdict.status, std::move(verdict.reason));
  current_ = Request{};
  chunked_bytes_ = extension_bytes_ = trailer_bytes_ = crlf_due_ = 0;
  const long used = execute(buffer_.data(), block_bytes);
  if (used < 0) return parse_error();
  if (message_done_) {
    buffer_.erase(0, static_cast<std::size_t>(used));
    return 0;
  }
  buffer_.erase(0, block_bytes);
  in_body_ = true;
  if (verdict.expect_continue && on_continue_) on_continue_();
  return 0;
}

int RequestReader::feed(std::span<const std::byte> data, const OnRequest& on_request) {
  if (error_) return error_;
  if (upgraded_) return 0;
  buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
  for (;;) {
    if (!in_body_) {
      if (const int status = read_head()) return status;
      if (message_done_) {
        upgraded_ = current_.upgrade;
        on_request(current_);
        if (error_ || upgraded_) return error_;
        continue;
      }
      if (!in_body_) return 0;
    }
    if (buffer_.empty()) return 0;
    const long used = execute(buffer_.data(), buffer_.size());
    if (used < 0) return parse_error();
    buffer_.erase(0, static_cast<std::size_t>(used));
    if (!message_done_) return 0;
    in_body_ = false;
    on_request(current_);
  }
}

}  // namespace lb::http
