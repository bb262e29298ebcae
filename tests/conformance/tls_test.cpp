// TLS over each backend's real sockets: the TLS stream wraps whatever
// stream the backend gives, so the same cases run on epoll, libuv, io_uring.
#include <openssl/ssl.h>

#include <cstring>
#include <map>

#include "engine/error.hpp"
#include "harness.hpp"
#include "protocols/tls/tls_context.hpp"
#include "protocols/tls/tls_stream.hpp"

namespace lb::test {
namespace {

struct TlsSetup {
  tls::Certificate identity = tls::make_self_signed();
  tls::SslCtxPtr server = tls::make_server_context(identity);
  tls::SslCtxPtr client_trusting = tls::make_client_context({true, "", identity.cert.get()});
  tls::SslCtxPtr client_default = tls::make_client_context({true, "", nullptr});
  tls::SslCtxPtr client_insecure = tls::make_client_context({false, "", nullptr});
};

TlsSetup& setup() {
  static TlsSetup s;
  return s;
}

// A TLS echo server: accepts, handshakes, echoes, shuts down on EOF.
struct TlsEchoServer {
  explicit TlsEchoServer(Loop& loop) : loop_(loop) {
    listener = listen_local(loop, [this](Stream tcp) {
      handshakes.push_back(tls::start_tls(
          loop_, std::move(tcp), setup().server.get(), tls::Role::server, "",
          [this](std::error_code ec, Stream s) {
            if (ec) {
              handshake_errors.push_back(ec);
              return;
            }
            const int id = next++;
            auto& stream = streams[id] = std::move(s);
            stream.read_start([this, id](std::error_code rec, std::span<const std::byte> d) {
              if (rec) {
                streams[id].shutdown([this, id](std::error_code) { streams.erase(id); });
                return;
              }
              streams[id].write({copy_slice(d)}, [](std::error_code) {});
            });
          }));
    });
  }
  Loop& loop_;
  Listener listener;
  std::vector<tls::Handshake> handshakes;
  std::map<int, Stream> streams;
  std::vector<std::error_code> handshake_errors;
  int next = 0;
};

// Connects and handshakes as a client; returns the error or the stream.
std::pair<std::error_code, Stream> tls_connect(Loop& loop, std::uint16_t port, SSL_CTX* ctx,
                                               const std::string& host) {
  std::error_code result;
  Stream stream;
  tls::Handshake handshake;
  bool done = false;
  loop.connect(Endpoint{"127.0.0.1", port}, [&](std::error_code ec, Stream tcp) {
    if (ec) {
      result = ec;
      done = true;
      return;
    }
    handshake = tls::start_tls(loop, std::move(tcp), ctx, tls::Role::client, host,
                               [&](std::error_code tec, Stream s) {
                                 result = tec;
                                 stream = std::move(s);
                                 done = true;
                               });
  });
  REQUIRE(run_until(loop, [&] { return done; }));
  return {result, std::move(stream)};
}

}  // namespace

TEST_CASE("TLS: 16 MiB echo through a verified handshake arrives byte for byte") {
  auto loop = make_test_loop();
  {
    TlsEchoServer server(*loop);
    auto [ec, client] = tls_connect(*loop, server.listener.local_port(),
                                    setup().client_trusting.get(), "127.0.0.1");
    REQUIRE_MESSAGE(!ec, ec.message());
    constexpr std::size_t kTotal = 16 << 20;
    const SharedBytes payload = pattern_bytes(kTotal, 9);
    Bytes received;
    bool eof = false;
    std::error_code error;
    client.read_start([&](std::error_code rec, std::span<const std::byte> d) {
      if (rec == errc::eof)
        eof = true;
      else if (rec)
        error = rec;
      else
        received.insert(received.end(), d.begin(), d.end());
    });
    std::size_t sent = 0;
    std::function<void()> pump = [&] {
      while (sent < kTotal && client.write_queue_bytes() < (1 << 20)) {
        const std::size_t n = std::min<std::size_t>(256 << 10, kTotal - sent);
        client.write({slice_of(payload, sent, n)}, [&](std::error_code wec) {
          if (wec) error = wec;
        });
        sent += n;
      }
      if (sent == kTotal) client.shutdown([](std::error_code) {});
    };
    client.set_drain_callback([&] {
      if (sent < kTotal) pump();
    });
    pump();
    REQUIRE(run_until(
        *loop, [&] { return eof || error; }, std::chrono::seconds(60)));
    CHECK_MESSAGE(!error, error.message());
    REQUIRE(received.size() == kTotal);
    CHECK(std::memcmp(received.data(), payload->data(), kTotal) == 0);
    client.close();
  }
  check_no_live_handles(*loop);
}

// Counts the application-data records an SSL writes (TLS 1.3 wraps every
// record after the handshake as application data).
void count_records(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*,
                   void* arg) {
  if (write_p && content_type == SSL3_RT_HEADER && len == 5 &&
      static_cast<const unsigned char*>(buf)[0] == SSL3_RT_APPLICATION_DATA)
    ++*static_cast<std::size_t*>(arg);
}

TEST_CASE("TLS: a gather write leaves as full records, byte for byte") {
  // Small headers before large slices (an HTTP/2 DATA frame's 9 bytes, a
  // WebSocket header's 2-14) must not each become a record of their own.
  std::size_t records = 0;
  tls::SslCtxPtr counting = tls::make_client_context({true, "", setup().identity.cert.get()});
  SSL_CTX_set_msg_callback(counting.get(), &count_records);
  SSL_CTX_set_msg_callback_arg(counting.get(), &records);
  auto loop = make_test_loop();
  {
    TlsEchoServer server(*loop);
    auto [ec, client] =
        tls_connect(*loop, server.listener.local_port(), counting.get(), "127.0.0.1");
    REQUIRE_MESSAGE(!ec, ec.message());
    Bytes received;
    client.read_start([&](std::error_code rec, std::span<const std::byte> d) {
      if (!rec) received.insert(received.end(), d.begin(), d.end());
    });
    const std::vector<std::vector<std::size_t>> lists = {
        {9, 16384, 9, 16384, 9, 16384},
        {2, 65536, 14, 65536},
        {1, 1, 1, 1},
        {16384},
        {16385, 0, 3},
        {0},
        {40000, 7, 16377, 100000, 5},
        {16383, 1, 16384, 2, 16382},
    };
    std::uint64_t seed = 1;
    for (const auto& sizes : lists) {
      std::size_t total = 0;
      for (auto n : sizes)
        total += n;
      INFO("pieces of " << sizes.size() << ", " << total << " bytes");
      const SharedBytes payload = pattern_bytes(total, seed++);
      BufferList list;
      std::size_t at = 0;
      for (auto n : sizes) {
        list.push_back(slice_of(payload, at, n));
        at += n;
      }
      received.clear();
      records = 0;
      bool written = false;
      client.write(std::move(list), [&](std::error_code wec) {
        CHECK(!wec);
        written = true;
      });
      REQUIRE(run_until(*loop, [&] { return written && received.size() >= total; }));
      REQUIRE(received.size() == total);
      if (total) CHECK(std::memcmp(received.data(), payload->data(), total) == 0);
      CHECK(records == (total + 16383) / 16384);
    }
    client.close();
  }
  check_no_live_handles(*loop);
}

TEST_CASE("TLS: an untrusted or misnamed certificate is a clear verify error") {
  auto loop = make_test_loop();
  {
    TlsEchoServer server(*loop);
    const auto port = server.listener.local_port();
    auto [untrusted, s1] = tls_connect(*loop, port, setup().client_default.get(), "127.0.0.1");
    CHECK(untrusted.category() == tls::verify_category());
    CHECK(untrusted.message().find("self-signed certificate") != std::string::npos);
    CHECK_FALSE(static_cast<bool>(s1));
    auto [misnamed, s2] = tls_connect(*loop, port, setup().client_trusting.get(), "example.com");
    CHECK(misnamed.category() == tls::verify_category());
    CHECK(misnamed.message().find("mismatch") != std::string::npos);
    // --insecure accepts it.
    auto [ok, s3] = tls_connect(*loop, port, setup().client_insecure.get(), "example.com");
    CHECK_MESSAGE(!ok, ok.message());
    s3.close();
    settle(*loop, 5);
  }
  check_no_live_handles(*loop);
}

TEST_CASE("TLS: plain bytes to a TLS server and TLS to a plain server fail cleanly") {
  auto loop = make_test_loop();
  {
    TlsEchoServer server(*loop);
    Stream plain;
    loop->connect(
        Endpoint{"127.0.0.1", server.listener.local_port()}, [&](std::error_code ec, Stream s) {
          REQUIRE(!ec);
          plain = std::move(s);
          plain.write({copy_slice("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}, [](std::error_code) {});
          plain.read_start([](std::error_code, std::span<const std::byte>) {});
        });
    REQUIRE(run_until(*loop, [&] { return !server.handshake_errors.empty(); }));
    CHECK(server.handshake_errors.front().category() == tls::tls_category());

    // A plain server that answers the client hello with text and closes.
    Stream accepted;
    Listener text_server = listen_local(*loop, [&](Stream s) {
      accepted = std::move(s);
      accepted.write({copy_slice("HTTP/1.1 400 Bad Request\r\n\r\n")}, [](std::error_code) {});
      accepted.shutdown([](std::error_code) {});
    });
    auto [ec, s] = tls_connect(*loop, text_server.local_port(), setup().client_insecure.get(), "");
    CHECK(ec);
    CHECK_FALSE(static_cast<bool>(s));
    plain.close();
    accepted.close();
  }
  check_no_live_handles(*loop);
}

TEST_CASE("TLS: a handshake abandoned midway closes its stream and never reports") {
  auto loop = make_test_loop();
  {
    // A peer that accepts and then says nothing: the client's handshake
    // waits for a ServerHello that never comes.
    std::vector<Stream> silent;
    Listener listener = listen_local(*loop, [&](Stream s) { silent.push_back(std::move(s)); });
    bool connected = false, reported = false;
    tls::Handshake handshake;
    loop->connect(Endpoint{"127.0.0.1", listener.local_port()},
                  [&](std::error_code ec, Stream tcp) {
                    REQUIRE_FALSE(ec);
                    connected = true;
                    handshake = tls::start_tls(*loop, std::move(tcp), setup().client_insecure.get(),
                                               tls::Role::client, "localhost",
                                               [&](std::error_code, Stream) { reported = true; });
                  });
    REQUIRE(run_until(*loop, [&] { return connected && silent.size() == 1; }));
    settle(*loop, 5);
    handshake.abandon();
    // The silent peer sees the client's end of stream.
    bool eof = false;
    silent.front().read_start([&](std::error_code ec, std::span<const std::byte>) {
      if (ec) eof = true;
    });
    CHECK(run_until(*loop, [&] { return eof; }));
    CHECK_FALSE(reported);
    silent.clear();
    listener.close();
    settle(*loop, 5);
  }
  check_no_live_handles(*loop);
}

}  // namespace lb::test
