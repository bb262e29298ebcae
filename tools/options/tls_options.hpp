#pragma once
// The TLS options every server command shares (--tls, --cert, --key).
#include <string>

#include "protocols/tls/openssl_handles.hpp"

namespace lb {

// A server's SSL_CTX: the PEM pair when --cert and --key are given, a fresh
// self-signed certificate for `host` with --tls alone, else null (plain
// TCP). UsageError when only one of --cert and --key is given.
tls::SslCtxPtr server_tls_option(bool tls, const std::string& cert, const std::string& key,
                                 const std::string& host = "127.0.0.1");

}  // namespace lb
