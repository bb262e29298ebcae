#pragma once
// The RFC 6455 opening handshake: the client's Upgrade request and its check
// of the 101 answer, the server's check of the request and its answer.
#include <optional>
#include <string>
#include <string_view>

#include "protocols/http/request_reader.hpp"

namespace lb::ws {

// 16 random bytes, base64 (Sec-WebSocket-Key).
std::string make_key();
// base64(SHA-1(key + the RFC's GUID)) (Sec-WebSocket-Accept).
std::string accept_for(std::string_view key);

std::string client_request(std::string_view host, std::string_view target, std::string_view key);

// Parses the server's answer; "" when it is a valid 101 for `key`, else why
// not (status line, missing Upgrade, wrong accept value).
std::string check_response(std::string_view head, std::string_view key);

struct ServerVerdict {
  int status = 101;      // 101, or 400 / 426 to refuse
  std::string response;  // the full answer to send
  std::string reason;    // why it was refused
};
// What the server answers to `request` (426 names version 13).
ServerVerdict answer_request(const http::Request& request);

}  // namespace lb::ws
