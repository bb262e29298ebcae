#include "protocols/tls/tls_stream.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "engine/callback_slot.hpp"
#include "engine/error.hpp"
#include "protocols/tls/stream_bio.hpp"

namespace lb::tls {
namespace {

class TlsCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "loopbench.tls"; }
  std::string message(int value) const override {
    char buf[256];
    ERR_error_string_n(static_cast<unsigned long>(value), buf, sizeof buf);
    return buf;
  }
};

class VerifyCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "loopbench.tls.verify"; }
  std::string message(int value) const override {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(value);
  }
};

constexpr std::size_t kPlaintextChunk = 64 * 1024;
// TLS's largest record: 2^14 bytes of plaintext (RFC 8446 §5.1).
constexpr std::size_t kRecord = 16 * 1024;

// The TLS stream. Users hold it through lb::Stream.
class TlsStream final : public StreamImpl, public std::enable_shared_from_this<TlsStream> {
 public:
  TlsStream(Loop& loop, Stream inner, SslPtr ssl, ReadyCallback ready)
      : loop_(loop), inner_(std::move(inner)), ssl_(std::move(ssl)), ready_(std::move(ready)) {
    BIO* bio = make_stream_bio(bio_);
    SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns it now
  }

  void start() {
    // Nobody else holds us until the handshake ends and the user gets a
    // Stream; the inner stream's callback only holds a weak reference.
    handshaking_self_ = shared_from_this();
    auto weak = weak_from_this();
    inner_.read_start([weak](std::error_code ec, std::span<const std::byte> data) {
      if (auto self = weak.lock()) self->on_ciphertext(ec, data);
    });
    handshake();  // the client's hello goes out now; no callback runs here
  }

  // The owner of the handshake gave up on it before it ended.
  void abandon() {
    if (!ready_) return;
    ready_ = nullptr;
    auto self = std::move(handshaking_self_);
    close();
  }

  void read_start(ReadCallback cb) override {
    read_cb_ = std::move(cb);
    reading_ = true;
    if (!inner_ended_)
      inner_.read_start(
          [weak = weak_from_this()](std::error_code ec, std::span<const std::byte> d) {
            if (auto self = weak.lock()) self->on_ciphertext(ec, d);
          });
    // Plaintext may already wait in OpenSSL's buffers: deliver next turn.
    loop_.defer([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->deliver_plaintext();
    });
  }

  void read_stop() override {
    reading_ = false;
    if (!inner_ended_) inner_.read_stop();  // backpressure reaches the socket
  }

  // The pieces leave as TLS records of kRecord bytes, full but for the
  // last: each SSL_write is a record (or several) of its own, so a gather
  // list of small headers and payload slices (an HTTP/2 DATA frame's 9
  // bytes before 16 KiB, a WebSocket frame's 2 to 14 before its payload)
  // would send a 9-byte record per frame, and the peer would pay its reads
  // and its tag. Pieces are copied only where they do not fill whole
  // records in place: small ones, and the ends of large ones.
  void write(BufferList bufs, WriteCallback cb) override {
    if (closed_) return;
    // Used only within this call, on the loop's thread: one per thread,
    // not 16 KiB for each of thousands of connections.
    thread_local std::array<std::byte, kRecord> stage;
    std::size_t staged = 0;
    for (const auto& s : bufs) {
      const std::byte* p = s.data();
      std::size_t n = s.size;
      if (n > 0 && (staged > 0 || n < kRecord)) {
        const std::size_t k = std::min(n, kRecord - staged);
        std::memcpy(stage.data() + staged, p, k);
        staged += k;
        p += k;
        n -= k;
        if (staged == kRecord) {
          if (!seal(stage.data(), staged, cb)) return;
          staged = 0;
        }
      }
      if (n == 0) continue;
      // Nothing is staged here: whole records in place, the end staged.
      const std::size_t whole = n / kRecord * kRecord;
      if (whole && !seal(p, whole, cb)) return;
      if (n > whole) std::memcpy(stage.data(), p + whole, n - whole);
      staged = n - whole;
    }
    if (staged && !seal(stage.data(), staged, cb)) return;
    flush(std::move(cb));
  }

  void shutdown(WriteCallback cb) override {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // queues close_notify
    flush(nullptr);
    inner_.shutdown(std::move(cb));
  }

  std::size_t write_queue_bytes() const override { return inner_.write_queue_bytes(); }
  void set_drain_callback(DrainCallback cb) override { inner_.set_drain_callback(std::move(cb)); }
  std::uint16_t local_port() const override { return inner_.local_port(); }
  std::string_view negotiated_protocol() const override {
    const unsigned char* name = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl_.get(), &name, &length);
    return {reinterpret_cast<const char*>(name), length};
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    inner_.close();
    read_cb_ = nullptr;
  }

 private:
  // Encrypts `size` bytes into the output BIO; on failure reports the
  // error to `cb` on the next turn and returns false.
  bool seal(const std::byte* data, std::size_t size, WriteCallback& cb) {
    std::size_t done = 0;
    ERR_clear_error();
    if (SSL_write_ex(ssl_.get(), data, size, &done) == 1) return true;
    const std::error_code ec = ssl_error(0);
    loop_.defer([cb = std::move(cb), ec] { cb(ec); });
    return false;
  }

  std::error_code ssl_error(int rc) {
    const int err = SSL_get_error(ssl_.get(), rc);
    if (err == SSL_ERROR_ZERO_RETURN) return errc::eof;
    const long verify = SSL_get_verify_result(ssl_.get());
    if (!handshake_done_ && verify != X509_V_OK)
      return {static_cast<int>(verify), verify_category()};
    if (const unsigned long e = ERR_get_error()) {
      ERR_clear_error();
      return {static_cast<int>(e), tls_category()};
    }
    if (err == SSL_ERROR_SYSCALL) return errc::eof;  // peer vanished without close_notify
    return {static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNEXPECTED_MESSAGE)), tls_category()};
  }

  // Sends whatever OpenSSL produced; `cb` (if any) runs when it is written.
  void flush(WriteCallback cb) {
    if (bio_.output.empty()) {
      if (cb) loop_.defer([cb = std::move(cb)] { cb({}); });
      return;
    }
    // As in the WebSocket session: a written buffer's storage comes back as
    // the next output buffer instead of a fresh allocation per flush.
    auto bytes = std::make_shared<Bytes>(std::move(bio_.output));
    bio_.output = std::move(spare_);
    bio_.output.clear();
    inner_.write({slice_of(bytes)},
                 [weak = weak_from_this(), bytes, cb = std::move(cb)](std::error_code ec) {
                   if (auto self = weak.lock(); self && bytes->capacity() > self->spare_.capacity())
                     self->spare_ = std::move(*bytes);
                   if (cb) cb(ec);
                 });
  }

  void handshake() {
    ERR_clear_error();
    const int rc = SSL_do_handshake(ssl_.get());
    flush(nullptr);
    if (rc == 1) {
      handshake_done_ = true;
      return finish_handshake({});
    }
    const int err = SSL_get_error(ssl_.get(), rc);
    if (err == SSL_ERROR_WANT_READ) return;
    finish_handshake(ssl_error(rc));
  }

  void finish_handshake(std::error_code ec) {
    auto ready = std::move(ready_);
    ready_ = nullptr;
    if (!ready) return;
    auto self = std::move(handshaking_self_);
    if (ec) {
      close();
      return ready(ec, Stream{});
    }
    // While nobody reads, ciphertext waits in the kernel.
    if (!reading_) inner_.read_stop();
    ready({}, Stream(shared_from_this()));
  }

  void on_ciphertext(std::error_code ec, std::span<const std::byte> data) {
    if (closed_) return;
    auto self = shared_from_this();
    if (ec) {
      inner_ended_ = true;
      inner_end_ = ec;
      if (!handshake_done_)
        return finish_handshake(ec == errc::eof ? make_error_code(errc::eof) : ec);
      return deliver_plaintext();
    }
    bio_.borrowed = data;
    if (!handshake_done_) handshake();
    if (handshake_done_) deliver_plaintext();
    bio_.keep_unread();  // `data` is gone after we return
  }

  void deliver_plaintext() {
    if (closed_ || !handshake_done_) return;
    auto self = shared_from_this();
    while (reading_ && !closed_) {
      // Records carry at most 16 KiB; gather several per callback.
      std::size_t filled = 0;
      int rc = 1;
      ERR_clear_error();
      while (rc == 1 && filled < plaintext_.size()) {
        std::size_t n = 0;
        rc = SSL_read_ex(ssl_.get(), plaintext_.data() + filled, plaintext_.size() - filled, &n);
        if (rc == 1) filled += n;
      }
      // Read OpenSSL's verdict before the callback can touch the SSL.
      const bool want_read = rc != 1 && SSL_get_error(ssl_.get(), rc) == SSL_ERROR_WANT_READ;
      const std::error_code failure = rc != 1 && !want_read ? ssl_error(rc) : std::error_code{};
      if (rc != 1) flush(nullptr);  // e.g. a key update answer
      if (filled)
        invoke_slot(read_cb_, std::error_code{}, std::span<std::byte>(plaintext_.data(), filled));
      if (rc == 1) continue;
      if (!reading_ || closed_) return;
      if (!want_read) return end_reading(failure);
      if (inner_ended_) end_reading(inner_end_);
      return;
    }
  }

  void end_reading(std::error_code ec) {
    reading_ = false;
    invoke_slot(read_cb_, ec, std::span<std::byte>{});
  }

  Loop& loop_;
  Stream inner_;
  BioBuffers bio_;  // read and written by the SSL's BIO, so it outlives ssl_
  Bytes spare_;     // a written output buffer, for reuse
  SslPtr ssl_;
  ReadyCallback ready_;
  std::shared_ptr<TlsStream> handshaking_self_;
  ReadCallback read_cb_;
  bool reading_ = false;
  bool handshake_done_ = false;
  bool inner_ended_ = false;
  std::error_code inner_end_;
  bool closed_ = false;
  std::array<std::byte, kPlaintextChunk> plaintext_{};
};

}  // namespace

const std::error_category& tls_category() noexcept {
  static const TlsCategory category;
  return category;
}

const std::error_category& verify_category() noexcept {
  static const VerifyCategory category;
  return category;
}

Handshake start_tls(Loop& loop, Stream inner, SSL_CTX* ctx, Role role, const std::string& host,
                    ReadyCallback ready) {
  SslPtr ssl(SSL_new(ctx));
  if (!ssl) {
    const std::error_code ec{static_cast<int>(ERR_get_error()), tls_category()};
    auto pending = std::make_shared<ReadyCallback>(std::move(ready));
    loop.defer([pending, ec] {
      if (auto cb = std::exchange(*pending, nullptr)) cb(ec, Stream{});
    });
    return Handshake([pending] { *pending = nullptr; });
  }
  if (role == Role::client) {
    SSL_set_connect_state(ssl.get());
    if (!host.empty()) {
      // An IP literal is checked as an address; a name is checked and sent
      // as SNI (which never carries addresses).
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str()) != 1) {
        ERR_clear_error();
        SSL_set1_host(ssl.get(), host.c_str());
        SSL_set_tlsext_host_name(ssl.get(), host.c_str());
      }
    }
  } else {
    SSL_set_accept_state(ssl.get());
  }
  auto stream =
      std::make_shared<TlsStream>(loop, std::move(inner), std::move(ssl), std::move(ready));
  stream->start();
  return Handshake([weak = std::weak_ptr<TlsStream>(stream)] {
    if (auto self = weak.lock()) self->abandon();
  });
}

}  // namespace lb::tls
