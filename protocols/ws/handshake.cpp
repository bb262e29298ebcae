#include "protocols/ws/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace lb::ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  const int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_token(std::string_view list, std::string_view token) {
  return lower(list).find(lower(token)) != std::string::npos;
}

// The value of header `name` in a raw response head (case-insensitive).
std::string header_of(std::string_view head, std::string_view name) {
  const std::string h = lower(head);
  const std::string needle = "\r\n" + lower(name) + ":";
  const auto at = h.find(needle);
  if (at == std::string::npos) return {};
  auto start = at + needle.size();
  auto end = head.find("\r\n", start);
  std::string_view v = head.substr(start, end - start);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  return std::string(v);
}

}  // namespace

std::string make_key() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed");
  return base64(raw, sizeof raw);
}

std::string accept_for(std::string_view key) {
  const std::string joined = std::string(key) + std::string(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest);
  return base64(digest, sizeof digest);
}

std::string client_request(std::string_view host, std::string_view target, std::string_view key) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + std::string(host) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + std::string(key) +
         "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

std::string check_response(std::string_view head, std::string_view key) {
  const auto line_end = head.find("\r\n");
  const std::string_view status = head.substr(0, line_end);
  if (status.rfind("HTTP/1.1 101", 0) != 0)
    return "server refused the upgrade: " + std::string(status);
  if (!has_token(header_of(head, "upgrade"), "websocket")) return "101 without Upgrade: websocket";
  if (!has_token(header_of(head, "connection"), "upgrade"))
    return "101 without Connection: upgrade";
  if (header_of(head, "sec-websocket-accept") != accept_for(key))
    return "wrong Sec-WebSocket-Accept";
  return {};
}

ServerVerdict answer_request(const http::Request& r) {
  auto refuse = [](int status, std::string reason, std::string extra = {}) {
    const char* text = status == 426 ? "Upgrade Required" : "Bad Request";
    return ServerVerdict{status,
                         "HTTP/1.1 " + std::to_string(status) + " " + text + "\r\n" + extra +
                             "Content-Length: 0\r\nConnection: close\r\n\r\n",
                         std::move(reason)};
  };
  if (r.method != "GET") return refuse(400, "WebSocket handshake must be a GET");
  if (!has_token(r.header("upgrade"), "websocket") || !has_token(r.header("connection"), "upgrade"))
    return refuse(426, "not a WebSocket upgrade", "Upgrade: websocket\r\nConnection: Upgrade\r\n");
  if (r.header("sec-websocket-version") != "13")
    return refuse(426, "unsupported WebSocket version", "Sec-WebSocket-Version: 13\r\n");
  const auto key = r.header("sec-websocket-key");
  if (key.size() != 24) return refuse(400, "missing or malformed Sec-WebSocket-Key");
  return {101,
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: " +
              accept_for(key) + "\r\n\r\n",
          {}};
}

}  // namespace lb::ws
