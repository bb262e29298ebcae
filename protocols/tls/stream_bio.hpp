#pragma once
// The BIO between OpenSSL and a TLS stream, in the manner of h2o's socket
// BIOs. Reads take ciphertext straight from the bytes of the inner stream's
// current read callback (borrowed, not copied); only what OpenSSL leaves
// unread is kept. Writes append ciphertext to one output buffer that the TLS
// stream hands to the inner stream. OpenSSL's memory BIO would copy every
// byte in and memmove what remains after each read (docs/notes/tls.md).
#include <openssl/bio.h>

#include <cstddef>
#include <span>

#include "engine/buffer.hpp"

namespace lb::tls {

struct BioBuffers {
  std::span<const std::byte> borrowed;  // valid during the current read callback
  Bytes kept;                           // ciphertext carried to a later read
  std::size_t kept_offset = 0;
  Bytes output;  // ciphertext not yet handed to the inner stream

  // Copies the unread part of `borrowed` into `kept`; call before the bytes
  // of the read callback go away.
  void keep_unread();
  std::size_t readable() const { return kept.size() - kept_offset + borrowed.size(); }
  std::size_t read(std::byte* out, std::size_t len);
};

// A new BIO reading and writing `buffers`, which must outlive it. Pass it to
// SSL_set_bio as both rbio and wbio (the SSL then owns it).
BIO* make_stream_bio(BioBuffers& buffers);

}  // namespace lb::tls
