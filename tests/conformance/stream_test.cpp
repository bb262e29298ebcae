// Streams over real loopback sockets: data integrity, many connections,
// backpressure (their lifecycle: stream_lifecycle_test.cpp).
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <thread>

#include "engine/error.hpp"
#include "harness.hpp"
#include "peer_socket.hpp"
#include "stream_helpers.hpp"

namespace lb::test {

TEST_CASE("64 MiB echo arrives byte for byte") {
  auto loop = make_test_loop();
  {
    StreamEchoServer server(*loop);
    constexpr std::size_t kTotal = 64 << 20;
    constexpr std::size_t kChunk = 256 << 10;
    const SharedBytes payload = pattern_bytes(kTotal, 1);
    Stream client;
    Bytes received;
    received.reserve(kTotal);
    std::size_t sent = 0;
    bool failed = false;

    std::function<void()> pump = [&] {
      // Keep at most 1 MiB queued: the writer respects backpressure.
      while (sent < kTotal && client.write_queue_bytes() < (1 << 20)) {
        const std::size_t n = std::min(kChunk, kTotal - sent);
        client.write({slice_of(payload, sent, n)}, [&](std::error_code ec) { failed |= !!ec; });
        sent += n;
      }
      if (sent == kTotal) client.shutdown([&](std::error_code ec) { failed |= !!ec; });
    };
    bool eof = false;
    loop->connect(local(server.listener.local_port()), [&](std::error_code ec, Stream s) {
      REQUIRE_MESSAGE(!ec, ec.message());
      client = std::move(s);
      client.set_drain_callback([&] {
        if (sent < kTotal) pump();
      });
      read_until_eof(client, received, eof, failed);
      pump();
    });
    REQUIRE(run_until(
        *loop, [&] { return eof || failed; }, std::chrono::seconds(60)));
    CHECK_FALSE(failed);
    REQUIRE(received.size() == kTotal);
    CHECK(std::memcmp(received.data(), payload->data(), kTotal) == 0);
    client.close();
  }
  check_no_live_handles(*loop);
}

// More slices than one writev (IOV_MAX 1024) or one uv_write under Wine
// (1024 buffers) takes: the backend splits, in order, with one callback.
TEST_CASE("one write of 5000 slices arrives whole and in order, with one callback") {
  auto loop = make_test_loop();
  {
    StreamEchoServer server(*loop);
    constexpr std::size_t kSlices = 5000;
    constexpr std::size_t kSlice = 100;
    const SharedBytes payload = pattern_bytes(kSlices * kSlice, 5);
    BufferList bufs;
    for (std::size_t i = 0; i < kSlices; ++i)
      bufs.push_back(slice_of(payload, i * kSlice, kSlice));
    Stream client;
    Bytes received;
    int callbacks = 0;
    std::error_code write_error;
    bool eof = false, failed = false;
    loop->connect(local(server.listener.local_port()), [&](std::error_code ec, Stream s) {
      REQUIRE_MESSAGE(!ec, ec.message());
      client = std::move(s);
      read_until_eof(client, received, eof, failed);
      client.write(std::move(bufs), [&](std::error_code wec) {
        ++callbacks;
        write_error = wec;
        client.shutdown([](std::error_code) {});
      });
    });
    REQUIRE(run_until(
        *loop, [&] { return eof || failed; }, std::chrono::seconds(30)));
    CHECK_MESSAGE(!write_error, write_error.message());
    CHECK(callbacks == 1);
    CHECK_FALSE(failed);
    REQUIRE(received.size() == payload->size());
    CHECK(std::memcmp(received.data(), payload->data(), payload->size()) == 0);
    client.close();
  }
  check_no_live_handles(*loop);
}

TEST_CASE("full duplex against a peer in other threads: 64 MiB each way, every byte arrives") {
  auto loop = make_test_loop();
  {
    constexpr std::size_t kTotal = 64 << 20;
    constexpr std::size_t kChunk = 128 << 10;
    const SharedBytes payload = pattern_bytes(kTotal, 3);
    // The peer is a plain blocking socket served by two threads, as a
    // separate client process would be: our side's sends then find the
    // socket buffer full and must wait for room, never fail.
    Stream stream;
    Listener listener = listen_local(*loop, [&](Stream s) { stream = std::move(s); });
    PeerSocket peer = PeerSocket::connect_local(listener.local_port());
    REQUIRE(run_until(*loop, [&] { return static_cast<bool>(stream); }));

    Bytes peer_received;
    std::thread peer_reader([&] {
      std::vector<std::byte> buf(1 << 16);
      for (;;) {
        const long n = peer.recv(buf.data(), buf.size());
        if (n <= 0) return;
        peer_received.insert(peer_received.end(), buf.begin(), buf.begin() + n);
      }
    });
    std::thread peer_writer([&] {
      std::size_t off = 0;
      while (off < kTotal) {
        const long n = peer.send(payload->data() + off, kTotal - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
      peer.shutdown_write();
    });

    Bytes received;
    received.reserve(kTotal);
    bool eof = false, shut = false;
    std::error_code error;
    std::size_t sent = 0, in_flight = 0;
    std::function<void()> pump = [&] {
      while (in_flight < 4 && sent < kTotal) {
        const std::size_t n = std::min(kChunk, kTotal - sent);
        ++in_flight;
        stream.write({slice_of(payload, sent, n)}, [&](std::error_code ec) {
          --in_flight;
          if (ec)
            error = ec;
          else
            pump();
        });
        sent += n;
      }
      if (sent == kTotal && in_flight == 0)
        stream.shutdown([&](std::error_code ec) {
          if (ec) error = ec;
          shut = true;
        });
    };
    stream.read_start([&](std::error_code ec, std::span<const std::byte> d) {
      if (ec == errc::eof)
        eof = true;
      else if (ec)
        error = ec;
      else
        received.insert(received.end(), d.begin(), d.end());
    });
    pump();
    const bool finished = run_until(
        *loop, [&] { return (eof && shut) || error; }, std::chrono::seconds(60));
    if (!finished || error) peer.shutdown_both();  // unblock the peer threads
    peer_writer.join();
    peer_reader.join();
    REQUIRE(finished);
    CHECK_MESSAGE(!error, error.message());
    REQUIRE(received.size() == kTotal);
    CHECK(std::memcmp(received.data(), payload->data(), kTotal) == 0);
    REQUIRE(peer_received.size() == kTotal);
    CHECK(std::memcmp(peer_received.data(), payload->data(), kTotal) == 0);
    stream.close();
  }
  check_no_live_handles(*loop);
}

TEST_CASE("200 concurrent connections each get their own bytes back") {
  auto loop = make_test_loop();
  {
    StreamEchoServer server(*loop);
    constexpr int kClients = 200;
    std::vector<Stream> clients(kClients);
    std::vector<std::string> got(kClients);
    int finished = 0, errors = 0;
    for (int i = 0; i < kClients; ++i) {
      loop->connect(local(server.listener.local_port()), [&, i](std::error_code ec, Stream s) {
        if (ec) {
          ++errors;
          return;
        }
        clients[i] = std::move(s);
        const std::string msg = "client-" + std::to_string(i) + std::string(1000 + i, 'x');
        clients[i].read_start([&, i, msg](std::error_code rec, std::span<const std::byte> d) {
          if (rec) return;
          got[i].append(reinterpret_cast<const char*>(d.data()), d.size());
          if (got[i].size() == msg.size()) {
            errors += got[i] != msg;
            ++finished;
            clients[i].close();
          }
        });
        clients[i].write({copy_slice(msg)}, [&](std::error_code wec) { errors += !!wec; });
      });
    }
    REQUIRE(run_until(*loop, [&] { return finished + errors >= kClients; }));
    CHECK(errors == 0);
    CHECK(finished == kClients);
  }
  check_no_live_handles(*loop);
}

TEST_CASE("a writer stops at the backpressure bound and resumes on drain") {
  auto loop = make_test_loop();
  {
    Stream accepted;
    Listener listener = listen_local(*loop, [&](Stream s) { accepted = std::move(s); });
    Stream client;
    loop->connect(local(listener.local_port()), [&](std::error_code ec, Stream s) {
      REQUIRE(!ec);
      client = std::move(s);
    });
    REQUIRE(run_until(*loop, [&] { return client && accepted; }));

    // Nobody reads: the kernel buffers fill and writes queue up.
    constexpr std::size_t kBound = 4 << 20;
    constexpr std::size_t kChunk = 64 << 10;
    const SharedBytes chunk = pattern_bytes(kChunk, 2);
    std::size_t queued_total = 0;
    int drains = 0;
    bool write_error = false;
    auto fill = [&] {
      // Bounded, so a backend that never reports queued bytes fails, not hangs.
      for (int i = 0; i < 4096 && !write_error && client.write_queue_bytes() < kBound; ++i) {
        client.write({slice_of(chunk)}, [&](std::error_code ec) { write_error |= !!ec; });
        queued_total += kChunk;
      }
    };
    client.set_drain_callback([&] { ++drains; });
    fill();
    REQUIRE(client.write_queue_bytes() >= kBound);
    // Give the kernel every chance to take the queue; it cannot take it all.
    settle(*loop, 20);
    CHECK(client.write_queue_bytes() > 0);
    CHECK(drains == 0);
    const std::size_t before_reading = queued_total;

    std::size_t received = 0;
    accepted.read_start([&](std::error_code ec, std::span<const std::byte> d) {
      if (!ec) received += d.size();
    });
    REQUIRE(run_until(*loop, [&] { return drains > 0; }));
    CHECK(client.write_queue_bytes() == 0);
    fill();  // resume after the drain
    CHECK(queued_total > before_reading);
    REQUIRE(run_until(*loop, [&] { return received == queued_total; }));
    CHECK_FALSE(write_error);
  }
  check_no_live_handles(*loop);
}

}  // namespace lb::test
