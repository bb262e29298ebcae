#pragma once
// SSL_CTX set-up for our two roles. A context is shared by every connection
// of one loop thread (OpenSSL contexts are safe to share read-only).
#include <string>

#include "protocols/tls/certificate.hpp"

namespace lb::tls {

struct ClientConfig {
  bool verify = true;     // false: --insecure
  std::string ca_file;    // empty: the system's default CA paths
  X509* trust = nullptr;  // also trust this certificate (tests, in-memory --tls)
};

// Throws std::runtime_error with OpenSSL's reason on failure.
SslCtxPtr make_server_context(const Certificate& identity);
SslCtxPtr make_client_context(const ClientConfig& config);

// A server context that agrees on HTTP/2 by ALPN when the client offers
// "h2", else on "http/1.1" when offered, else on no protocol.
void select_http_alpn(SSL_CTX* ctx);

}  // namespace lb::tls
