#pragma once
// A built-in server's fresh certificate as a PEM file, so that peer clients
// verify it as our client does; removed with this object.
#include <openssl/x509.h>

#include <string>

namespace lb {

class TrustFile {
 public:
  // Null `cert`: no file (path() is empty). Throws when it cannot write.
  explicit TrustFile(X509* cert);
  ~TrustFile();
  TrustFile(const TrustFile&) = delete;
  TrustFile& operator=(const TrustFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace lb
