#include "tools/peers/trust_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "protocols/tls/certificate.hpp"
#include "tools/process/this_process.hpp"

namespace lb {

TrustFile::TrustFile(X509* cert) {
  if (!cert) return;
  path_ = (std::filesystem::temp_directory_path() /
           ("loopbench-trust-" + std::to_string(this_pid()) + ".pem"))
              .string();
  std::ofstream out(path_);
  out << tls::to_pem(cert);
  if (!out) throw std::runtime_error("cannot write " + path_);
}

TrustFile::~TrustFile() {
  if (!path_.empty()) std::remove(path_.c_str());
}

}  // namespace lb
