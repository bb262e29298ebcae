#include "tools/options/tls_options.hpp"

#include "protocols/tls/certificate.hpp"
#include "protocols/tls/tls_context.hpp"
#include "tools/options/usage_error.hpp"

namespace lb {

tls::SslCtxPtr server_tls_option(bool tls, const std::string& cert, const std::string& key,
                                 const std::string& host) {
  if (cert.empty() != key.empty()) throw UsageError("--cert and --key go together");
  if (!cert.empty()) return tls::make_server_context(tls::load_pem(cert, key));
  if (tls) return tls::make_server_context(tls::make_self_signed(365, host));
  return nullptr;
}

}  // namespace lb
