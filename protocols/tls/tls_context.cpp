#include "protocols/tls/tls_context.hpp"

#include <stdexcept>

namespace lb::tls {
namespace {

constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

SslCtxPtr new_context(const SSL_METHOD* method) {
  SslCtxPtr ctx(SSL_CTX_new(method));
  if (!ctx) throw std::runtime_error("SSL_CTX_new: " + last_openssl_error());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Our BIO never blocks; the moving-buffer mode lets a retried write come
  // from a different address, as queued slices may. Record buffers are kept
  // between reads (no SSL_MODE_RELEASE_BUFFERS): a benchmark holds few
  // connections and would pay an allocation per read instead.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // OpenSSL prefers AES-256-GCM; AES-128-GCM is as widely offered, about a
  // third cheaper per byte, and the suite the benchmarks compare against
  // (`openssl speed -evp aes-128-gcm`).
  if (SSL_CTX_set_ciphersuites(ctx.get(), kTls13Suites) != 1)
    throw std::runtime_error("TLS 1.3 cipher suites: " + last_openssl_error());
  return ctx;
}

// ALPN's wire format: each name after its length byte, in our preference.
constexpr unsigned char kHttpProtocols[] = "\x02h2\x08http/1.1";

int select_http(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  unsigned char* chosen = nullptr;
  // Server preference: walks our list and takes the first the client offers.
  if (SSL_select_next_proto(&chosen, outlen, kHttpProtocols, sizeof kHttpProtocols - 1, in,
                            inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

void select_http_alpn(SSL_CTX* ctx) {
  SSL_CTX_set_alpn_select_cb(ctx, &select_http, nullptr);
}

SslCtxPtr make_server_context(const Certificate& identity) {
  SslCtxPtr ctx = new_context(TLS_server_method());
  SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);  // our order, for every client
  if (SSL_CTX_use_certificate(ctx.get(), identity.cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), identity.key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1)
    throw std::runtime_error("server certificate: " + last_openssl_error());
  return ctx;
}

SslCtxPtr make_client_context(const ClientConfig& config) {
  SslCtxPtr ctx = new_context(TLS_client_method());
  if (!config.verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    return ctx;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  const int ok = config.ca_file.empty()
                     ? SSL_CTX_set_default_verify_paths(ctx.get())
                     : SSL_CTX_load_verify_locations(ctx.get(), config.ca_file.c_str(), nullptr);
  if (ok == 1 && config.trust &&
      X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), config.trust) != 1)
    throw std::runtime_error("cannot trust the given certificate: " + last_openssl_error());
  if (ok != 1)
    throw std::runtime_error("cannot load CA certificates" +
                             (config.ca_file.empty() ? "" : " from '" + config.ca_file + "'") +
                             ": " + last_openssl_error());
  return ctx;
}

}  // namespace lb::tls
