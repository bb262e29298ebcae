#include "backends/uring/uring_backend.hpp"

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "backends/uring/uring_listener.hpp"
#include "backends/uring/uring_stream.hpp"
#include "backends/uring/uring_watch.hpp"
#include "engine/loop.hpp"

namespace lb {
namespace {

constexpr unsigned kRingEntries = 1024;
// Every connection keeps a multishot receive armed, so one wait can complete
// a receive on each of them; an overflowing CQ makes the kernel allocate
// and list each extra completion. Sizes and budgets here are measured in
// docs/notes/io_uring.md.
constexpr unsigned kCqEntries = 32 * kRingEntries;
constexpr unsigned kCqeBudget = 64;
constexpr unsigned kProvidedBuffers = 256;  // power of two
// The most one receive fills, as epoll's and libuv's read buffer: smaller
// receives mean more completions per byte.
constexpr std::size_t kProvidedBufferBytes = 256 * 1024;
// The kernel copies receives into provided buffers as task work inside our
// wait, into as many as the ring offers, so what is offered bounds the
// copying one wait does for a single fast socket. The ring offers 4
// buffers per live handle, at least 8 (2 MiB a wait), all 256 from 64
// handles on (many connections need a buffer each), and never more than
// kOfferedBytes in all: past 64 buffers each is offered shorter. Few
// buffers also keep a bulk receive's copies in cache, as the ring hands
// them out in turn.
constexpr std::size_t kBuffersPerHandle = 4;
constexpr std::size_t kMinBuffersOffered = 8;
constexpr std::size_t kOfferedBytes = 16 * 1024 * 1024;

// user_data layout: op code (8 bits) | generation (24 bits) | slot (32 bits).
constexpr std::uint64_t pack(UringOp op, std::uint32_t generation, std::uint32_t slot) {
  return (std::uint64_t{static_cast<std::uint8_t>(op)} << 56) |
         (std::uint64_t{generation & 0xffffffu} << 32) | slot;
}
constexpr UringOp op_of(std::uint64_t ud) {
  return static_cast<UringOp>(ud >> 56);
}
constexpr std::uint32_t generation_of(std::uint64_t ud) {
  return (ud >> 32) & 0xffffffu;
}
constexpr std::uint32_t slot_of(std::uint64_t ud) {
  return static_cast<std::uint32_t>(ud);
}

constexpr std::uint64_t kIgnoreUserData = pack(UringOp::ignore, 0, 0);
constexpr std::uint64_t kWakeUserData = pack(UringOp::wake, 0, 0);

// Multishot RECV needs Linux 6.0; the provided-buffer ring 5.19.
bool kernel_at_least(int major, int minor) {
  utsname u{};
  if (::uname(&u) != 0) return false;
  int got_major = 0, got_minor = 0;
  if (std::sscanf(u.release, "%d.%d", &got_major, &got_minor) != 2) return false;
  return got_major > major || (got_major == major && got_minor >= minor);
}

}  // namespace

std::string UringBackend::unavailable_reason() {
  io_uring ring{};
  const int rc = io_uring_queue_init(8, &ring, 0);
  if (rc < 0) {
    std::string why = std::strerror(-rc);
    if (rc == -EPERM) why += " (io_uring is disabled: see sysctl kernel.io_uring_disabled)";
    if (rc == -ENOSYS) why += " (kernel without io_uring, or blocked by seccomp)";
    return "io_uring_queue_init failed: " + why;
  }
  std::string why;
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  if (!probe) {
    why = "cannot probe io_uring opcodes";
  } else {
    for (int op :
         {IORING_OP_RECV, IORING_OP_SENDMSG, IORING_OP_ACCEPT, IORING_OP_CONNECT,
          IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE, IORING_OP_ASYNC_CANCEL, IORING_OP_READ}) {
      if (!io_uring_opcode_supported(probe, op))
        why = "kernel lacks io_uring opcode " + std::to_string(op);
    }
    io_uring_free_probe(probe);
  }
  if (why.empty() && !kernel_at_least(6, 0))
    why = "kernel older than 6.0 (multishot RECV with provided buffers)";
  io_uring_queue_exit(&ring);
  return why;
}

Ring::Ring(unsigned entries, unsigned cq_entries, unsigned flags) {
  io_uring_params params{};
  params.flags = flags | IORING_SETUP_CQSIZE;
  params.cq_entries = cq_entries;
  int rc = io_uring_queue_init_params(entries, &ring_, &params);
  if (rc == -EINVAL && flags != 0) {  // flags unknown to an older kernel
    params = io_uring_params{};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = cq_entries;
    rc = io_uring_queue_init_params(entries, &ring_, &params);
  }
  if (rc < 0) throw std::system_error(-rc, std::system_category(), "io_uring_queue_init");
  disabled_ = params.flags & IORING_SETUP_R_DISABLED;
}

// liburing 2.3 declares io_uring_enable_rings() but does not export it.
void Ring::enable() {
  if (!disabled_) return;
  disabled_ = false;
  if (::syscall(__NR_io_uring_register, ring_.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) <
      0)
    throw std::system_error(errno, std::system_category(), "io_uring enable rings");
}

Mapping::Mapping(std::size_t bytes)
    : addr_(::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0)),
      bytes_(bytes) {
  if (addr_ == MAP_FAILED) throw std::system_error(errno, std::system_category(), "mmap");
}

Mapping::~Mapping() {
  ::munmap(addr_, bytes_);
}

UringBackend::UringBackend(Loop& loop)
    : loop_(loop),
      wake_fd_(::eventfd(0, EFD_CLOEXEC)),
      // The kernel's part of a completion (a receive's copy into a provided
      // buffer) runs as task work. Deferred, it runs only while this thread
      // waits in io_uring_enter, at most 32 receives per socket per wait;
      // otherwise it runs on any return from the kernel, a page fault inside
      // a read callback included, and fills provided buffers there.
      // Deferred task work needs a single submitter: the ring starts
      // disabled and the thread whose loop first runs it enables it.
      ring_(std::make_unique<Ring>(kRingEntries, kCqEntries,
                                   IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER |
                                       IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED)) {
  if (!wake_fd_) throw std::system_error(errno, std::system_category(), "eventfd");
  buf_ring_memory_ = std::make_unique<Mapping>(kProvidedBuffers * sizeof(io_uring_buf));
  buf_ring_ = static_cast<io_uring_buf_ring*>(buf_ring_memory_->get());
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(buf_ring_);
  reg.ring_entries = kProvidedBuffers;
  reg.bgid = kBufferGroup;
  const int rc = io_uring_register_buf_ring(ring_->get(), &reg, 0);
  if (rc < 0) throw std::system_error(-rc, std::system_category(), "io_uring_register_buf_ring");
  io_uring_buf_ring_init(buf_ring_);
  // Not zeroed: the pages of buffers never offered stay untouched.
  buffers_ = std::make_unique_for_overwrite<std::byte[]>(kProvidedBuffers * kProvidedBufferBytes);
  for (unsigned bid = kProvidedBuffers; bid-- > 0;)
    held_buffers_.push_back(static_cast<std::uint16_t>(bid));
  offer_held_buffers();
  arm_wake();
}

UringBackend::~UringBackend() {
  ring_.reset();
  for (auto& slot : slots_)
    if (slot.owner) slot.owner->release_callbacks();
  slots_.clear();
}

io_uring_sqe* UringBackend::sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(ring_->get());
  while (!sqe) {
    // Full: hand what is queued to the kernel, never drop a submission
    // (the ring may not have run yet: this thread then becomes its
    // submitter).
    ring_->enable();
    const int rc = io_uring_submit(ring_->get());
    if (rc < 0 && rc != -EAGAIN && rc != -EBUSY && rc != -EINTR)
      throw std::system_error(-rc, std::system_category(), "io_uring_submit");
    sqe = io_uring_get_sqe(ring_->get());
  }
  return sqe;
}

std::uint64_t UringBackend::track(io_uring_sqe* sqe, std::shared_ptr<UringSource> owner,
                                  UringOp op) {
  std::uint32_t index;
  if (free_slots_.empty()) {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = free_slots_.back();
    free_slots_.pop_back();
  }
  Slot& slot = slots_[index];
  ++owner->in_flight_;
  slot.owner = std::move(owner);
  const std::uint64_t ud = pack(op, slot.generation, index);
  io_uring_sqe_set_data64(sqe, ud);
  return ud;
}

void UringBackend::cancel_op(std::uint64_t user_data) {
  io_uring_sqe* s = sqe();
  io_uring_prep_cancel64(s, user_data, 0);
  io_uring_sqe_set_data64(s, kIgnoreUserData);
}

void UringBackend::cancel_fd(int fd) {
  io_uring_sqe* s = sqe();
  io_uring_prep_cancel_fd(s, fd, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(s, kIgnoreUserData);
}

void UringBackend::close_when_quiescent(UringSource& source) {
  if (source.in_flight_ == 0) source.on_quiescent();
}

std::span<std::byte> UringBackend::provided_buffer(std::uint16_t bid, std::size_t length) const {
  return {buffers_.get() + std::size_t{bid} * kProvidedBufferBytes, length};
}

std::size_t UringBackend::buffers_to_offer() const {
  return std::clamp(kBuffersPerHandle * live_handles_, kMinBuffersOffered,
                    std::size_t{kProvidedBuffers});
}

void UringBackend::add_to_ring(std::uint16_t bid, int offset) {
  const auto length = std::min(kProvidedBufferBytes, kOfferedBytes / buffers_to_offer());
  io_uring_buf_ring_add(buf_ring_, provided_buffer(bid, length).data(),
                        static_cast<unsigned>(length), bid,
                        io_uring_buf_ring_mask(kProvidedBuffers), offset);
}

void UringBackend::offer_held_buffers() {
  int added = 0;
  while (!held_buffers_.empty() && buffers_out_ < buffers_to_offer()) {
    const std::uint16_t bid = held_buffers_.back();
    held_buffers_.pop_back();
    add_to_ring(bid, added++);
    ++buffers_out_;
  }
  if (added > 0) io_uring_buf_ring_advance(buf_ring_, added);
}

void UringBackend::handle_opened() {
  ++live_handles_;
  offer_held_buffers();
}

void UringBackend::recycle_buffer(std::uint16_t bid) {
  if (buffers_out_ > buffers_to_offer()) {  // handles went away: offer fewer
    held_buffers_.push_back(bid);
    --buffers_out_;
    return;
  }
  add_to_ring(bid, 0);
  io_uring_buf_ring_advance(buf_ring_, 1);
}

void UringBackend::arm_wake() {
  io_uring_sqe* s = sqe();
  io_uring_prep_read(s, wake_fd_.get(), &wake_value_, sizeof wake_value_, 0);
  io_uring_sqe_set_data64(s, kWakeUserData);
}

void UringBackend::wake() {
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof one);
}

void UringBackend::dispatch(const io_uring_cqe& cqe) {
  const std::uint64_t ud = cqe.user_data;
  const UringOp op = op_of(ud);
  if (op == UringOp::ignore) return;
  if (op == UringOp::wake) {
    arm_wake();
    return;
  }
  // A receive's provided buffer goes back to the ring whoever gets the
  // completion: one that no owner reads (stale, or its stream closed while
  // the kernel still filled buffers) would otherwise be lost for good, and
  // once all are lost every socket's RECV waits for a buffer forever.
  const bool has_buffer = cqe.flags & IORING_CQE_F_BUFFER;
  const auto bid = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
  const std::uint32_t index = slot_of(ud);
  if (index >= slots_.size() || slots_[index].generation != generation_of(ud) ||
      !slots_[index].owner) {
    if (has_buffer) recycle_buffer(bid);
    return;  // stale: the slot was reused
  }
  std::shared_ptr<UringSource> owner;
  if (cqe.flags & IORING_CQE_F_MORE) {
    owner = slots_[index].owner;
  } else {
    owner = std::move(slots_[index].owner);
    ++slots_[index].generation;
    free_slots_.push_back(index);
    --owner->in_flight_;
  }
  if (!owner->closed())
    owner->on_completion(op, ud, cqe.res, cqe.flags);
  else if (has_buffer)
    recycle_buffer(bid);
  if (owner->closed() && owner->in_flight_ == 0) owner->on_quiescent();
}

void UringBackend::run_once(std::optional<std::chrono::nanoseconds> timeout) {
  ring_->enable();
  io_uring_cqe* cqe = nullptr;
  int rc = 0;
  // With CQEs left from the last turn, liburing 2.3's wait returns them
  // without entering the kernel for events, and with DEFER_TASKRUN the
  // kernel's half of a completion (a poll's wake-up turned into a CQE) only
  // runs inside such an enter: while every turn left CQEs over, POLL_ADDs
  // whose sockets were readable waited up to 0.5 s (libcurl's transfers on
  // 100 connections). Entering with GETEVENTS and no wait runs that work.
  if ((timeout && timeout->count() == 0) || io_uring_cq_ready(ring_->get()) > 0) {
    rc = io_uring_submit_and_get_events(ring_->get());
  } else if (timeout) {
    const auto ns = timeout->count();
    __kernel_timespec ts{ns / 1'000'000'000, ns % 1'000'000'000};
    rc = io_uring_submit_and_wait_timeout(ring_->get(), &cqe, 1, &ts, nullptr);
  } else {
    rc = io_uring_submit_and_wait_timeout(ring_->get(), &cqe, 1, nullptr, nullptr);
  }
  if (rc == -EEXIST)
    throw std::system_error(-rc, std::system_category(),
                            "io_uring loop run by a second thread (one thread runs a loop)");
  // Copy each CQE and mark it seen before dispatching: callbacks submit new
  // work, and a CQ slot is free again as soon as it is consumed. At most
  // kCqeBudget CQEs and one TurnBudget per turn, so timers and posted work
  // run between batches: a multishot receive keeps producing CQEs, and a
  // turn that drains them all delays every timer behind it. CQEs left over
  // make the next wait return at once.
  TurnBudget& budget = loop_.turn_budget();
  for (unsigned n = 0; n < kCqeBudget && io_uring_peek_cqe(ring_->get(), &cqe) == 0; ++n) {
    const io_uring_cqe copy = *cqe;
    io_uring_cqe_seen(ring_->get(), cqe);
    budget.begin();
    dispatch(copy);
    if (budget.spent()) break;
  }
}

void UringBackend::connect(const Endpoint& to, ConnectCallback cb) {
  UringStream::connect(*this, to, std::move(cb));
}

std::shared_ptr<ListenerImpl> UringBackend::listen(const Endpoint& at, const ListenOptions& options,
                                                   AcceptCallback cb, std::error_code& ec) {
  return UringListener::open(*this, at, options, std::move(cb), ec);
}

std::shared_ptr<WatchImpl> UringBackend::watch(SocketHandle fd, unsigned interest,
                                               WatchCallback cb) {
  return UringWatch::open(*this, fd, interest, std::move(cb));
}

std::unique_ptr<Backend> make_uring_backend(Loop& loop) {
  return std::make_unique<UringBackend>(loop);
}

std::string uring_unavailable_reason() {
  return UringBackend::unavailable_reason();
}

}  // namespace lb
