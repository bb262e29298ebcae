#include "protocols/tls/stream_bio.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "protocols/tls/certificate.hpp"
#include "protocols/tls/openssl_handles.hpp"

namespace lb::tls {

void BioBuffers::keep_unread() {
  if (borrowed.empty()) return;
  // Drop what OpenSSL already took, so `kept` holds only unread bytes and
  // does not grow across pauses.
  kept.erase(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(kept_offset));
  kept_offset = 0;
  kept.insert(kept.end(), borrowed.begin(), borrowed.end());
  borrowed = {};
}

std::size_t BioBuffers::read(std::byte* out, std::size_t len) {
  std::size_t done = 0;
  if (kept_offset < kept.size()) {
    done = std::min(len, kept.size() - kept_offset);
    std::memcpy(out, kept.data() + kept_offset, done);
    kept_offset += done;
  }
  const std::size_t more = std::min(len - done, borrowed.size());
  if (more) {
    std::memcpy(out + done, borrowed.data(), more);
    borrowed = borrowed.subspan(more);
  }
  return done + more;
}

namespace {

BioBuffers& buffers_of(BIO* bio) {
  return *static_cast<BioBuffers*>(BIO_get_data(bio));
}

int bio_read(BIO* bio, char* out, std::size_t len, std::size_t* read) {
  BIO_clear_retry_flags(bio);
  *read = buffers_of(bio).read(reinterpret_cast<std::byte*>(out), len);
  if (*read) return 1;
  BIO_set_retry_read(bio);  // "want more", never EOF: the TLS stream sees EOF itself
  return 0;
}

int bio_write(BIO* bio, const char* data, std::size_t len, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  auto& output = buffers_of(bio).output;
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  output.insert(output.end(), bytes, bytes + len);
  *written = len;
  return 1;
}

long bio_ctrl(BIO* bio, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return static_cast<long>(buffers_of(bio).readable());
    case BIO_CTRL_WPENDING:
      return static_cast<long>(buffers_of(bio).output.size());
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

using BioMethodPtr = std::unique_ptr<BIO_METHOD, Deleter<BIO_meth_free>>;

BioMethodPtr make_method() {
  BioMethodPtr method(BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "loopbench stream"));
  if (!method || BIO_meth_set_read_ex(method.get(), bio_read) != 1 ||
      BIO_meth_set_write_ex(method.get(), bio_write) != 1 ||
      BIO_meth_set_ctrl(method.get(), bio_ctrl) != 1 ||
      BIO_meth_set_create(method.get(), bio_create) != 1)
    throw std::runtime_error("cannot create the stream BIO method: " + last_openssl_error());
  return method;
}

}  // namespace

BIO* make_stream_bio(BioBuffers& buffers) {
  static const BioMethodPtr method = make_method();
  BIO* bio = BIO_new(method.get());
  if (!bio) throw std::runtime_error("BIO_new: " + last_openssl_error());
  BIO_set_data(bio, &buffers);
  return bio;
}

}  // namespace lb::tls
