#pragma once
// The server side of TLS handshakes on accepted streams: each in progress
// is kept until it ends, and abandoned (its stream closed, its callback
// never run) with the acceptor or once it is older than a limit, so a
// client that stalls mid-handshake holds nothing for good.
#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <map>

#include "engine/loop.hpp"
#include "protocols/tls/tls_stream.hpp"

namespace lb::tls {

class TlsAcceptor {
 public:
  TlsAcceptor(Loop& loop, SSL_CTX* ctx) : loop_(loop), ctx_(ctx) {}

  // Runs the handshake over `stream`; `ready` gets the TLS stream, or the
  // error (plain HTTP to a TLS port and the like).
  void accept(Stream stream, ReadyCallback ready);
  // Abandons the handshakes that began more than `limit` ago; returns how
  // many.
  std::size_t abandon_older_than(Clock::duration limit);

 private:
  struct InProgress {
    Handshake handshake;
    Clock::time_point started;
  };
  Loop& loop_;
  SSL_CTX* ctx_;
  std::map<std::uint64_t, InProgress> handshakes_;
  std::uint64_t next_id_ = 0;
};

}  // namespace lb::tls
