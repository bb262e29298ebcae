// Streams over real loopback sockets: data integrity, many connections,
// backpressure, closing from callbacks, EOF versus reset, connect errors.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <thread>

#include "engine/error.hpp"
#include "harness.hpp"
#include "peer_socket.hpp"

namespace lb::test {
namespace {

// Echoes everything back on every accepted stream; one instance per test.
struct EchoServer {
  explicit EchoServer(Loop& loop)
      : listener(listen_local(loop, [this](Stream s) { accept(std::move(s)); })) {}

  void accept(Stream s) {
    const int id = next_id++;
    auto [it, inserted] = streams.emplace(id, std::move(s));
    it->second.read_start([this, id](std::error_code ec, std::span<const std::byte> data) {
      auto& stream = streams.at(id);
      if (ec) {
        stream.shutdown([this, id](std::error_code) { streams.erase(id); });
        return;
      }
      stream.write({copy_slice(data)}, [](std::error_code) {});
    });
  }

  Listener listener;
  std::map<int, Stream> streams;
  int next_id = 0;
};

Endpoint local(std::uint16_t port) {
  return Endpoint{"127.0.0.1", port};
}

// Everything `stream` reads goes to `received`; EOF sets `eof`, an error `failed`.
void read_until_eof(Stream& stream, Bytes& received, bool& eof, bool& failed) {
  stream.read_start([&](std::error_code ec, std::span<const std::byte> data) {
    if (ec) {
      eof = ec == errc::eof;
      failed |= !eof;
      return;
    }
    received.insert(received.end(), data.begin(), data.end());
  });
}

}  // namespace

TEST_CASE("64 MiB echo arrives byte for byte") {
  auto loop = make_test_loop();
  {
    EchoServer server(*loop);
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
    EchoServer server(*loop);
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
    EchoServer server(*loop);
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

TEST_CASE("a stream may close itself from its read callback") {
  auto loop = make_test_loop();
  {
    EchoServer server(*loop);
    Stream client;
    int reads_after_close = 0;
    bool closed = false;
    loop->connect(local(server.listener.local_port()), [&](std::error_code ec, Stream s) {
      REQUIRE(!ec);
      client = std::move(s);
      client.read_start([&](std::error_code, std::span<const std::byte>) {
        if (closed) ++reads_after_close;
        closed = true;
        client.close();  // destroys the handle inside its own callback
      });
      client.write({copy_slice(std::string(100000, 'a'))}, [](std::error_code) {});
    });
    REQUIRE(run_until(*loop, [&] { return closed; }));
    settle(*loop, 10);
    CHECK(reads_after_close == 0);
  }
  check_no_live_handles(*loop);
}

TEST_CASE("a stream may close itself from its write callback; later callbacks do not run") {
  auto loop = make_test_loop();
  {
    EchoServer server(*loop);
    Stream client;
    int write_callbacks = 0;
    loop->connect(local(server.listener.local_port()), [&](std::error_code ec, Stream s) {
      REQUIRE(!ec);
      client = std::move(s);
      client.set_drain_callback([&] { FAIL("drain after close"); });
      client.write({copy_slice("first")}, [&](std::error_code) {
        ++write_callbacks;
        client.close();
      });
      client.write({copy_slice("second")}, [&](std::error_code) { ++write_callbacks; });
    });
    REQUIRE(run_until(*loop, [&] { return write_callbacks > 0; }));
    settle(*loop, 10);
    CHECK(write_callbacks == 1);
  }
  check_no_live_handles(*loop);
}

TEST_CASE("write callbacks never run inside write()") {
  auto loop = make_test_loop();
  {
    EchoServer server(*loop);
    Stream client;
    bool inside_write = false, reentered = false, done = false;
    loop->connect(local(server.listener.local_port()), [&](std::error_code ec, Stream s) {
      REQUIRE(!ec);
      client = std::move(s);
      inside_write = true;
      client.write({copy_slice("x")}, [&](std::error_code) {
        reentered |= inside_write;
        done = true;
      });
      inside_write = false;
    });
    REQUIRE(run_until(*loop, [&] { return done; }));
    CHECK_FALSE(reentered);
  }
  check_no_live_handles(*loop);
}

TEST_CASE("a clean shutdown is EOF, an abortive close is a reset") {
  auto loop = make_test_loop();
  {
    std::vector<Stream> accepted;
    Listener listener = listen_local(*loop, [&](Stream s) { accepted.push_back(std::move(s)); });
    // Real peers: plain blocking sockets, one closed cleanly, one with
    // SO_LINGER 0 so the kernel sends RST.
    PeerSocket clean = PeerSocket::connect_local(listener.local_port());
    PeerSocket abortive = PeerSocket::connect_local(listener.local_port());
    REQUIRE(run_until(*loop, [&] { return accepted.size() == 2; }));
    std::error_code ends[2];
    for (int i = 0; i < 2; ++i) {
      accepted[i].read_start([&, i](std::error_code ec, std::span<const std::byte>) {
        if (ec) ends[i] = ec;
      });
    }
    // accept order follows connect order on one listener
    clean.shutdown_write();
    abortive.linger_zero();
    abortive.reset();
    REQUIRE(run_until(*loop, [&] { return ends[0] && ends[1]; }));
    CHECK(ends[0] == errc::eof);
    CHECK(ends[1] == std::errc::connection_reset);
    accepted.clear();
  }
  check_no_live_handles(*loop);
}

TEST_CASE("connecting to a closed port reports an error on a later turn") {
  auto loop = make_test_loop();
  {
    // Find a port nobody listens on: bind, read the port, close.
    std::uint16_t port;
    {
      Listener l = listen_local(*loop, [](Stream) {});
      port = l.local_port();
    }
    settle(*loop);
    std::error_code result;
    bool called = false, inside = true;
    loop->connect(local(port), [&](std::error_code ec, Stream s) {
      CHECK_FALSE(inside);
      CHECK_FALSE(static_cast<bool>(s));
      result = ec;
      called = true;
    });
    inside = false;
    REQUIRE(run_until(*loop, [&] { return called; }));
    CHECK(result == std::errc::connection_refused);
  }
  check_no_live_handles(*loop);
}

TEST_CASE("an unresolvable host is a clear error, not a crash") {
  auto loop = make_test_loop();
  bool called = false;
  std::error_code result;
  loop->connect(Endpoint{"no-such-host.invalid", 80}, [&](std::error_code ec, Stream) {
    result = ec;
    called = true;
  });
  REQUIRE(run_until(*loop, [&] { return called; }));
  CHECK(result == errc::bad_address);
  check_no_live_handles(*loop);
}

TEST_CASE("listening on a port in use fails with address_in_use") {
  auto loop = make_test_loop();
  {
    Listener first = listen_local(*loop, [](Stream) {});
    std::error_code ec;
    Listener second = loop->listen(
        Endpoint{"127.0.0.1", first.local_port()}, ListenOptions{}, [](Stream) {}, ec);
    CHECK(ec == std::errc::address_in_use);
    CHECK_FALSE(static_cast<bool>(second));
  }
  check_no_live_handles(*loop);
}

TEST_CASE("a new connection right after a close works on the reused fd number") {
  auto loop = make_test_loop();
  {
    EchoServer server(*loop);
    for (int round = 0; round < 20; ++round) {
      Stream client;
      std::string got;
      loop->connect(local(server.listener.local_port()), [&](std::error_code ec, Stream s) {
        REQUIRE(!ec);
        client = std::move(s);
        client.read_start([&](std::error_code rec, std::span<const std::byte> d) {
          if (!rec) got.append(reinterpret_cast<const char*>(d.data()), d.size());
        });
        client.write({copy_slice("round-" + std::to_string(round))}, [](std::error_code) {});
      });
      const std::string want = "round-" + std::to_string(round);
      REQUIRE(run_until(*loop, [&] { return got.size() >= want.size(); }));
      CHECK(got == want);
      client.close();  // the next connect most likely gets this fd number
    }
  }
  check_no_live_handles(*loop);
}

// The TurnBudget rule: streams that stay readable (peers that never stop
// sending) do not keep a timer from running. Without the budget a turn ran
// up to 32 reads a socket on libuv, 64 completions on io_uring and 4 reads
// for each ready socket on epoll before timers got their turn.
TEST_CASE("timers run between reads of sockets that stay readable") {
  auto loop = make_test_loop();
  {
    constexpr int kPeers = 8;
    std::vector<Stream> streams;
    Listener listener = listen_local(*loop, [&](Stream s) { streams.push_back(std::move(s)); });
    std::vector<PeerSocket> peers;
    for (int i = 0; i < kPeers; ++i)
      peers.push_back(PeerSocket::connect_local(listener.local_port()));
    REQUIRE(run_until(*loop, [&] { return streams.size() == kPeers; }));

    std::atomic<bool> stop{false};
    std::vector<std::thread> senders;
    for (auto& peer : peers)
      senders.emplace_back([&stop, &peer] {
        const std::vector<std::byte> chunk(64 << 10, std::byte{7});
        while (!stop && peer.send(chunk.data(), chunk.size()) > 0) {
        }
      });

    // Each read costs 0.5 ms, so the budget is spent after a few of them.
    std::size_t reads = 0;
    for (auto& s : streams)
      s.read_start([&](std::error_code ec, std::span<const std::byte>) {
        if (ec) return;
        ++reads;
        const auto until = Clock::now() + std::chrono::microseconds(500);
        while (Clock::now() < until) {
        }
      });
    REQUIRE(run_until(*loop, [&] { return reads > 0; }));

    std::size_t worst = 0;
    for (int round = 0; round < 20; ++round) {
      const std::size_t at_start = reads;
      bool fired = false;
      Timer t = loop->start_timer(std::chrono::nanoseconds::zero(), [&] { fired = true; });
      REQUIRE(run_until(*loop, [&] { return fired; }));
      worst = std::max(worst, reads - at_start);
    }
    INFO("most reads before a due timer ran: " << worst);
    CHECK(worst < 16);

    stop = true;
    for (auto& s : streams)
      s.close();
    for (auto& peer : peers)
      peer.shutdown_both();
    for (auto& t : senders)
      t.join();
  }
  check_no_live_handles(*loop);
}

}  // namespace lb::test
