#include "protocols/tls/certificate.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace lb::tls {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string(what) + ": " + last_openssl_error());
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

std::string last_openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Certificate make_self_signed(int days, const std::string& also_ip) {
  Certificate c;
  c.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(c.key != nullptr, "EC key generation");
  c.cert.reset(X509_new());
  check(c.cert != nullptr, "X509_new");
  X509* x = c.cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 60L * 60 * 24 * days);
  X509_set_pubkey(x, c.key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (!also_ip.empty() && also_ip != "127.0.0.1") names += ",IP:" + also_ip;
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, names.c_str()},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "certificate extension");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  check(X509_sign(x, c.key.get(), EVP_sha256()) > 0, "X509_sign");
  return c;
}

std::string to_pem(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return bio_text(bio.get());
}

std::string to_pem(const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return bio_text(bio.get());
}

Certificate load_pem(const std::string& cert_file, const std::string& key_file) {
  Certificate c;
  BioPtr cert_bio(BIO_new_file(cert_file.c_str(), "r"));
  if (!cert_bio) throw std::runtime_error("cannot read certificate file '" + cert_file + "'");
  c.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!c.cert) throw std::runtime_error("'" + cert_file + "' holds no PEM certificate");
  BioPtr key_bio(BIO_new_file(key_file.c_str(), "r"));
  if (!key_bio) throw std::runtime_error("cannot read key file '" + key_file + "'");
  c.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!c.key) throw std::runtime_error("'" + key_file + "' holds no PEM private key");
  ERR_clear_error();
  return c;
}

void write_pem(const Certificate& c, const std::string& cert_file, const std::string& key_file) {
  namespace fs = std::filesystem;
  const auto write = [](const std::string& path, const std::string& text, fs::perms mode) {
    std::ofstream out(path, std::ios::trunc);
    if (!(out << text)) throw std::runtime_error("cannot write '" + path + "'");
    out.close();
    std::error_code ec;  // Windows keeps only a read-only bit: best effort
    fs::permissions(path, mode, ec);
  };
  write(cert_file, to_pem(c.cert.get()),
        fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
            fs::perms::others_read);
  write(key_file, to_pem(c.key.get()), fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace lb::tls
