#pragma once
// TLS as a stream that wraps any stream: an SSL object whose BIO works in
// memory (stream_bio.hpp) takes ciphertext from the inner stream's reads and
// hands ciphertext to its writes. It never touches a socket, so it works unchanged on epoll, libuv
// and io_uring. It implements StreamImpl, so protocol code holds a plain
// lb::Stream and cannot tell TLS from TCP.
//
// Contract as for any stream (engine/backend.hpp): no callback from inside
// the call that caused it, close() stops every callback, plaintext passed to
// read callbacks is valid during the call only.
#include <functional>
#include <string>
#include <system_error>
#include <utility>

#include "engine/handles.hpp"
#include "engine/loop.hpp"
#include "protocols/tls/openssl_handles.hpp"

namespace lb::tls {

const std::error_category& tls_category() noexcept;
const std::error_category& verify_category() noexcept;

enum class Role { client, server };

using ReadyCallback = std::function<void(std::error_code ec, Stream stream)>;

// A handshake in progress. Destroying it before `ready` ran abandons the
// handshake: the inner stream closes and `ready` never runs (a peer that
// stalls mid-handshake would otherwise hold both for good). Once `ready`
// ran, it does nothing.
class Handshake {
 public:
  Handshake() = default;
  explicit Handshake(std::function<void()> abandon) : abandon_(std::move(abandon)) {}
  Handshake(Handshake&& other) noexcept : abandon_(std::exchange(other.abandon_, nullptr)) {}
  Handshake& operator=(Handshake&& other) noexcept {
    if (this != &other) {
      abandon();
      abandon_ = std::exchange(other.abandon_, nullptr);
    }
    return *this;
  }
  ~Handshake() { abandon(); }
  void abandon() {
    if (auto f = std::exchange(abandon_, nullptr)) f();
  }

 private:
  std::function<void()> abandon_;
};

// Runs the handshake over `inner`; `ready` gets the TLS stream, or the error
// (a verification failure is a verify_category code whose message is
// OpenSSL's reason). `host` is checked against the certificate and sent as
// SNI (client role only; ignored when the context does not verify).
[[nodiscard]] Handshake start_tls(Loop& loop, Stream inner, SSL_CTX* ctx, Role role,
                                  const std::string& host, ReadyCallback ready);

}  // namespace lb::tls
