#pragma once
// Self-signed certificates for localhost, made in memory with OpenSSL (no
// openssl command line): what `bench cert` writes and `--tls` serves.
#include <string>

#include "protocols/tls/openssl_handles.hpp"

namespace lb::tls {

struct Certificate {
  X509Ptr cert;
  PkeyPtr key;
};

// EC P-256 key; CN=localhost; SAN DNS:localhost, IP:127.0.0.1, IP:::1 and
// `also_ip` when given; valid from now for `days`. Throws
// std::runtime_error on OpenSSL failure.
Certificate make_self_signed(int days = 365, const std::string& also_ip = "");

std::string to_pem(const X509* cert);
std::string to_pem(const EVP_PKEY* key);
// Throws std::runtime_error naming the file on any failure.
Certificate load_pem(const std::string& cert_file, const std::string& key_file);
void write_pem(const Certificate& c, const std::string& cert_file, const std::string& key_file);

// The first OpenSSL error on this thread's queue as text (and clears it).
std::string last_openssl_error();

}  // namespace lb::tls
