#pragma once
// The Backend contract: what a loop implementation (epoll, libuv, io_uring)
// provides to the engine, and through the handles in handles.hpp, to
// protocol code. Protocol code never sees a backend type.
//
// Two tiers:
//  * readiness watches on fds we do not own (libcurl's sockets): the callback
//    says which of readable/writable/error is true now; it is level-triggered
//    (it fires again on a later turn while the condition holds and the
//    interest stays set);
//  * streams on sockets the backend owns: reads are delivered into a callback,
//    writes take a BufferList by move and keep it alive until their callback.
//
// Rules every backend keeps (the conformance suite checks them):
//  * No callback runs from inside the call that started the operation; an
//    error found while starting is reported on a later loop turn.
//  * After close() no callback of that handle runs, and any callback may
//    close the handle it is called for. The backend frees its state only when
//    the kernel no longer refers to it (in-flight io_uring ops, uv handles).
//  * Errors are std::error_code; end of stream is lb::errc::eof.
//  * Timers and deferred work belong to the engine (Loop); a backend only
//    waits for I/O until a deadline or a wake(). The Loop runs due timers
//    for a TurnBudget of their own after the I/O.
//  * One run_once() runs I/O callbacks for about a TurnBudget
//    (turn_budget.hpp) at most, and leaves what else is ready for the next
//    turn, so a stream that stays readable never keeps timers from running.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include "engine/buffer.hpp"
#include "engine/endpoint.hpp"

namespace lb {

class Loop;
class Stream;

// Readiness interest and events, as bit flags.
enum Readiness : unsigned {
  kNone = 0,
  kReadable = 1u << 0,
  kWritable = 1u << 1,
  kError = 1u << 2,  // only ever reported, never asked for
};

// Data is valid only during the call, and is the callee's while it runs: it
// may change the bytes in place (a WebSocket server unmasks there, so a
// frame's payload is never copied). On EOF or error `data` is empty, `ec` is
// set, and reading has stopped.
using ReadCallback = std::function<void(std::error_code ec, std::span<std::byte> data)>;
// Runs once when every byte of the write (or shutdown) reached the kernel, or
// with the error that stopped it.
using WriteCallback = std::function<void(std::error_code ec)>;
using DrainCallback = std::function<void()>;
using ConnectCallback = std::function<void(std::error_code ec, Stream stream)>;
using AcceptCallback = std::function<void(Stream stream)>;
using WatchCallback = std::function<void(unsigned events)>;

// A connected TCP stream as a backend implements it. Users hold lb::Stream.
class StreamImpl {
 public:
  virtual ~StreamImpl() = default;
  // Starts delivering reads to `cb` (replacing any earlier callback).
  virtual void read_start(ReadCallback cb) = 0;
  virtual void read_stop() = 0;
  // Queues `bufs`; writes complete in the order they were queued.
  virtual void write(BufferList bufs, WriteCallback cb) = 0;
  // Half-close after every queued write has gone out.
  virtual void shutdown(WriteCallback cb) = 0;
  // Bytes accepted by write() and not yet handed to the kernel.
  virtual std::size_t write_queue_bytes() const = 0;
  // Runs each time the write queue becomes empty after holding data.
  virtual void set_drain_callback(DrainCallback cb) = 0;
  // Idempotent. Stops every callback; releases the socket once no kernel
  // operation refers to it.
  virtual void close() = 0;
  virtual std::uint16_t local_port() const = 0;
  // The application protocol the stream's handshake agreed on (TLS ALPN:
  // "h2", "http/1.1"), or empty: a plain TCP stream agrees on none.
  virtual std::string_view negotiated_protocol() const { return {}; }
};

class ListenerImpl {
 public:
  virtual ~ListenerImpl() = default;
  virtual std::uint16_t local_port() const = 0;
  virtual void close() = 0;
};

class WatchImpl {
 public:
  virtual ~WatchImpl() = default;
  // Changes the interest in place. kNone pauses the watch: no callback runs
  // until an interest is set again. A pause costs no system call, and
  // resuming with the interest the watch had before costs none either: the
  // backend leaves the fd registered until an event comes while paused. So
  // keep one watch for as long as the fd lives rather than closing it
  // between uses.
  virtual void update(unsigned interest) = 0;
  // Stops watching; never closes the fd, which the caller owns. The caller
  // may close the fd right after this returns.
  virtual void close() = 0;
};

// A socket as the system names it, for watches: a descriptor on POSIX, a
// SOCKET (a handle, pointer-sized) on Windows, as libcurl's curl_socket_t.
#ifdef _WIN32
using SocketHandle = std::uintptr_t;
#else
using SocketHandle = int;
#endif

struct ListenOptions {
  int backlog = 1024;
  bool reuse_port = false;  // SO_REUSEPORT, for one listener per loop thread
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string_view name() const = 0;

  // Waits for I/O up to `timeout` (nullopt: until something happens or
  // wake() is called; zero: just poll), then runs the callbacks of what
  // completed. Backends round sub-resolution timeouts up, never down.
  virtual void run_once(std::optional<std::chrono::nanoseconds> timeout) = 0;

  // Thread-safe: makes a blocked run_once() return soon.
  virtual void wake() = 0;

  virtual void connect(const Endpoint& to, ConnectCallback cb) = 0;
  // Setup errors (address in use, bad address) come back in `ec`.
  virtual std::shared_ptr<ListenerImpl> listen(const Endpoint& at, const ListenOptions& options,
                                               AcceptCallback cb, std::error_code& ec) = 0;
  virtual std::shared_ptr<WatchImpl> watch(SocketHandle fd, unsigned interest,
                                           WatchCallback cb) = 0;

  // Handles (streams, listeners, watches) whose state the backend still
  // holds: zero once everything was closed and the kernel let go of it.
  virtual std::size_t live_handles() const = 0;
};

using BackendFactory = std::function<std::unique_ptr<Backend>(Loop&)>;

}  // namespace lb
