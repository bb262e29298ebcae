#pragma once
// Incremental SHA-256 over OpenSSL's EVP interface (SHA-NI where the CPU has
// it), with the time spent hashing, so reports can give a hash speed.
#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace lb {

class Sha256 {
 public:
  Sha256();
  void update(std::span<const std::byte> data);
  // Lowercase hex of the digest; the hasher starts over afterwards.
  std::string hex_digest();
  double seconds() const { return seconds_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
  double seconds_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace lb
