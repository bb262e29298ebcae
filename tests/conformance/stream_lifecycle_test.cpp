// A stream's lifecycle over real loopback sockets: closing from callbacks,
// EOF versus reset, connect and listen errors, fd numbers reused, timers
// between reads.
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

TEST_CASE("a stream may close itself from its read callback") {
  auto loop = make_test_loop();
  {
    StreamEchoServer server(*loop);
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
    StreamEchoServer server(*loop);
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
    StreamEchoServer server(*loop);
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
    StreamEchoServer server(*loop);
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
