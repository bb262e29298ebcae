#pragma once
// The io_uring backend (liburing). Streams use io_uring's own operations:
// multishot RECV into a provided-buffer ring, SENDMSG, CONNECT, multishot
// ACCEPT; readiness watches use POLL_ADD. Completions are dispatched on the
// user_data, which packs an op code, a slot index and the slot's generation:
// never a bare fd, so a late completion cannot reach whoever reuses the fd.
#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/backend.hpp"
#include "engine/unique_fd.hpp"

namespace lb {

enum class UringOp : std::uint8_t { ignore = 0, wake, recv, send, connect, accept, poll };

class UringBackend;

// RAII for the ring itself and for anonymous mappings.
class Ring {
 public:
  // A completion queue of `cq_entries` (IORING_SETUP_CQSIZE); throws
  // std::system_error.
  Ring(unsigned entries, unsigned cq_entries, unsigned flags);
  ~Ring() { io_uring_queue_exit(&ring_); }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  io_uring* get() { return &ring_; }
  // A ring made with IORING_SETUP_R_DISABLED starts here; the thread that
  // enables it is its only submitter (IORING_SETUP_SINGLE_ISSUER).
  void enable();

 private:
  io_uring ring_{};
  bool disabled_ = false;
};

class Mapping {
 public:
  explicit Mapping(std::size_t bytes);  // throws std::system_error
  ~Mapping();
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  void* get() const { return addr_; }

 private:
  void* addr_;
  std::size_t bytes_;
};

// Anything with operations in flight. The backend's slot for each op holds a
// shared_ptr to its source, so a source lives until its last completion.
class UringSource {
 public:
  virtual ~UringSource() = default;
  virtual void on_completion(UringOp op, std::uint64_t user_data, int res, std::uint32_t flags) = 0;
  // Called when closed and no op is left in flight.
  virtual void on_quiescent() {}
  virtual void release_callbacks() = 0;
  bool closed() const { return closed_; }
  int in_flight() const { return in_flight_; }

 protected:
  bool closed_ = false;

 private:
  friend class UringBackend;

  int in_flight_ = 0;
};

class UringBackend final : public Backend {
 public:
  explicit UringBackend(Loop& loop);  // throws std::system_error
  ~UringBackend() override;

  // Empty when io_uring with everything this backend needs works here,
  // otherwise why not (disabled by sysctl, seccomp, too old a kernel).
  static std::string unavailable_reason();

  std::string_view name() const override { return "uring"; }
  void run_once(std::optional<std::chrono::nanoseconds> timeout) override;
  void wake() override;
  void connect(const Endpoint& to, ConnectCallback cb) override;
  std::shared_ptr<ListenerImpl> listen(const Endpoint& at, const ListenOptions& options,
                                       AcceptCallback cb, std::error_code& ec) override;
  std::shared_ptr<WatchImpl> watch(SocketHandle fd, unsigned interest, WatchCallback cb) override;
  std::size_t live_handles() const override { return live_handles_; }

  // Used by the sources.
  Loop& loop() { return loop_; }
  // A free SQE, flushing the submission queue first if it is full.
  io_uring_sqe* sqe();
  // Tags `sqe` with a fresh slot for `owner`; returns its user_data.
  std::uint64_t track(io_uring_sqe* sqe, std::shared_ptr<UringSource> owner, UringOp op);
  // Submits a cancel (async cancel of one op, or every op on an fd) whose own
  // completion is ignored.
  void cancel_op(std::uint64_t user_data);
  void cancel_fd(int fd);
  void close_when_quiescent(UringSource& source);
  // Provided-buffer ring used by multishot RECV.
  static constexpr std::uint16_t kBufferGroup = 0;
  std::span<std::byte> provided_buffer(std::uint16_t bid, std::size_t length) const;
  void recycle_buffer(std::uint16_t bid);
  void handle_opened();
  void handle_released() { --live_handles_; }

 private:
  struct Slot {
    std::shared_ptr<UringSource> owner;
    std::uint32_t generation = 0;
  };
  void arm_wake();
  void dispatch(const io_uring_cqe& cqe);
  std::size_t buffers_to_offer() const;
  // Puts buffer `bid` at `offset` past the ring's tail, offered as long as
  // the number of buffers offered allows.
  void add_to_ring(std::uint16_t bid, int offset);
  void offer_held_buffers();

  Loop& loop_;
  UniqueFd wake_fd_;
  // ~UringBackend() resets the ring before anything else, so the kernel has
  // let go of our buffers, sockaddrs and fds before they are freed.
  std::unique_ptr<Ring> ring_;
  std::uint64_t wake_value_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t live_handles_ = 0;
  // The provided-buffer ring and the memory it hands out (liburing 2.3 has
  // no io_uring_setup_buf_ring, so both are allocated here).
  std::unique_ptr<Mapping> buf_ring_memory_;
  io_uring_buf_ring* buf_ring_ = nullptr;
  std::unique_ptr<std::byte[]> buffers_;
  std::vector<std::uint16_t> held_buffers_;  // kept back from the ring
  std::size_t buffers_out_ = 0;              // in the ring, or being delivered
};

}  // namespace lb
