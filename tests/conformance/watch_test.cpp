// Readiness watches on fds the caller owns (what libcurl's sockets need).
#include <algorithm>
#include <tuple>
#include <vector>

#include "harness.hpp"
#include "peer_socket.hpp"

namespace lb::test {
namespace {

// Both ends of a loopback connection, non-blocking.
struct SocketPair {
  SocketPair() { std::tie(a, b) = PeerSocket::pair(); }
  PeerSocket a, b;
};

}  // namespace

using namespace std::chrono_literals;

TEST_CASE("a watch reports readable, writable, and stays quiet when removed") {
  auto loop = make_test_loop();
  {
    SocketPair pair;
    unsigned seen = 0;
    int calls = 0;
    Watch w = loop->watch(pair.a.get(), kWritable, [&](unsigned ev) {
      seen |= ev;
      ++calls;
    });
    REQUIRE(run_until(*loop, [&] { return (seen & kWritable) != 0; }));
    CHECK((seen & kReadable) == 0);

    // Interest changes in place: now only readable, and nothing to read yet.
    w.update(kReadable);
    seen = 0;
    settle(*loop, 5);
    CHECK(seen == 0);
    REQUIRE(pair.b.send("hi", 2) == 2);
    REQUIRE(run_until(*loop, [&] { return (seen & kReadable) != 0; }));
    CHECK((seen & kWritable) == 0);

    // Level-triggered: unread data keeps reporting.
    const int before = calls;
    settle(*loop, 5);
    CHECK(calls > before);

    // kNone pauses the watch even though data is still there.
    w.update(kNone);
    settle(*loop, 2);
    const int paused = calls;
    settle(*loop, 5);
    CHECK(calls == paused);

    // Removed: no callback even when ready.
    w.update(kReadable);
    w.close();
    const int closed_at = calls;
    settle(*loop, 5);
    CHECK(calls == closed_at);
  }
  check_no_live_handles(*loop);
}

// Backends keep a paused fd registered (WatchImpl::update): whether an
// event came while paused or not, a resumed watch reports what is ready.
TEST_CASE("a paused watch resumes with what became ready, whether or not it woke while paused") {
  auto loop = make_test_loop();
  {
    SocketPair pair;
    int readable = 0;
    int writable = 0;
    Watch w = loop->watch(pair.a.get(), kReadable, [&](unsigned ev) {
      if (ev & kReadable) ++readable;
      if (ev & kWritable) ++writable;
    });
    settle(*loop, 3);
    REQUIRE(readable == 0);

    SUBCASE("data comes while paused") {
      w.update(kNone);
      REQUIRE(pair.b.send("x", 1) == 1);
      settle(*loop, 5);
      CHECK(readable == 0);
      w.update(kReadable);
      REQUIRE(run_until(*loop, [&] { return readable > 0; }));
    }
    SUBCASE("paused and resumed with nothing in between, then data") {
      w.update(kNone);
      settle(*loop, 3);
      w.update(kReadable);
      settle(*loop, 3);
      CHECK(readable == 0);
      REQUIRE(pair.b.send("x", 1) == 1);
      REQUIRE(run_until(*loop, [&] { return readable > 0; }));
    }
    SUBCASE("paused with data waiting, then resumed for writing only") {
      w.update(kNone);
      REQUIRE(pair.b.send("x", 1) == 1);
      settle(*loop, 3);
      w.update(kWritable);
      REQUIRE(run_until(*loop, [&] { return writable > 0; }));
      CHECK(readable == 0);
    }
  }
  check_no_live_handles(*loop);
}

TEST_CASE("a watch callback may close its own watch") {
  auto loop = make_test_loop();
  {
    SocketPair pair;
    int calls = 0;
    Watch w;
    w = loop->watch(pair.a.get(), kWritable, [&](unsigned) {
      ++calls;
      w.close();
    });
    REQUIRE(run_until(*loop, [&] { return calls > 0; }));
    settle(*loop, 5);
    CHECK(calls == 1);
  }
  check_no_live_handles(*loop);
}

TEST_CASE("peer hang-up is reported as readable") {
  auto loop = make_test_loop();
  {
    SocketPair pair;
    unsigned seen = 0;
    Watch w = loop->watch(pair.a.get(), kReadable, [&](unsigned ev) { seen |= ev; });
    pair.b.reset();
    REQUIRE(run_until(*loop, [&] { return seen != 0; }));
    CHECK((seen & kReadable) != 0);
  }
  check_no_live_handles(*loop);
}

TEST_CASE("an fd number reused right after close gets only its own events") {
  auto loop = make_test_loop();
  {
    int old_calls = 0, old_calls_at_close = 0;
    SocketHandle old_fd;
    {
      SocketPair first;
      old_fd = first.a.get();
      // The old fd is readable and stays so: a stale registration would keep
      // firing.
      REQUIRE(first.b.send("old", 3) == 3);
      Watch w = loop->watch(first.a.get(), kReadable, [&](unsigned) { ++old_calls; });
      REQUIRE(run_until(*loop, [&] { return old_calls > 0; }));
      w.close();
      old_calls_at_close = old_calls;
      // Close the fd at once, then make another pair: a POSIX kernel hands
      // out the lowest free number, i.e. the same one (Windows reuses socket
      // handles too, but not in any promised order).
    }
    SocketPair second;
    SocketHandle new_fd = second.a.get();
    if (new_fd != old_fd) {
      // Other pairs swap order; the test only means something on reuse.
      std::swap(second.a, second.b);
      new_fd = second.a.get();
    }
#ifndef _WIN32
    CHECK(new_fd == old_fd);
#endif
    unsigned seen = 0;
    Watch w2 = loop->watch(second.a.get(), kReadable, [&](unsigned ev) { seen |= ev; });
    settle(*loop, 3);
    CHECK(seen == 0);  // nothing to read yet: no stale event from the old fd
    REQUIRE(second.b.send("x", 1) == 1);
    REQUIRE(run_until(*loop, [&] { return seen != 0; }));
    CHECK(old_calls == old_calls_at_close);
  }
  check_no_live_handles(*loop);
}

// Busy watches whose sockets stay readable and whose callbacks each spend
// 0.5 ms, so every turn spends its budget with ready work left over, must
// not keep a quiet socket that becomes readable from being reported.
// Starved before: epoll's next wait reported the busy fds first again in
// the same order; io_uring (DEFER_TASKRUN) turns a poll's wake-up into a
// CQE only inside an enter for events, and a wait that still had CQEs (the
// busy polls complete at once when re-armed) did not enter for them.
TEST_CASE("a socket that becomes readable is reported while busy watches fill every turn") {
  auto loop = make_test_loop();
  {
    constexpr int kBusy = 8;
    std::vector<SocketPair> busy(kBusy);
    std::vector<Watch> busy_watches;
    std::size_t busy_calls = 0;
    for (auto& pair : busy) {
      const std::vector<char> fill(4096, 'x');
      REQUIRE(pair.b.send(fill.data(), fill.size()) == 4096);
      busy_watches.push_back(loop->watch(pair.a.get(), kReadable, [&busy_calls](unsigned) {
        ++busy_calls;
        const auto until = Clock::now() + 500us;
        while (Clock::now() < until) {
        }
      }));
    }
    REQUIRE(run_until(*loop, [&] { return busy_calls > kBusy; }));

    SocketPair quiet;
    bool fired = false;
    Watch watch = loop->watch(quiet.a.get(), kReadable, [&](unsigned events) {
      char byte;
      if ((events & kReadable) && quiet.a.recv(&byte, 1) == 1) fired = true;
    });
    std::size_t worst = 0;
    for (int round = 0; round < 10; ++round) {
      fired = false;
      const std::size_t at_start = busy_calls;
      run_until(*loop, [&] { return busy_calls >= at_start + kBusy; });  // the watch is armed
      const std::size_t at_write = busy_calls;
      REQUIRE(quiet.b.send("x", 1) == 1);
      REQUIRE(run_until(*loop, [&] { return fired; }));
      worst = std::max(worst, busy_calls - at_write);
    }
    INFO("most busy callbacks before the quiet socket was reported: " << worst);
    CHECK(worst <= 3 * kBusy);
    watch.close();
    for (auto& w : busy_watches)
      w.close();
  }
  check_no_live_handles(*loop);
}

}  // namespace lb::test
