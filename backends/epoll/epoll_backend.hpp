#pragma once
// The epoll backend: level-triggered readiness for watches, and streams
// emulated on readiness with non-blocking read/writev.
#include <sys/epoll.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/backend.hpp"
#include "engine/unique_fd.hpp"

namespace lb {

// Anything registered with epoll; epoll_data.ptr points at one. A source
// closed during an epoll_wait batch stays allocated (in the graveyard) until
// the batch is done, so later events of the batch find it marked closed.
class EpollSource {
 public:
  virtual ~EpollSource() = default;
  virtual void on_events(std::uint32_t events) = 0;
  // Drops user callbacks, breaking cycles through captured handles.
  virtual void release_callbacks() = 0;
  bool closed() const { return closed_; }

 protected:
  bool closed_ = false;
};

class EpollBackend final : public Backend {
 public:
  explicit EpollBackend(Loop& loop);  // throws std::system_error
  ~EpollBackend() override;

  std::string_view name() const override { return "epoll"; }
  void run_once(std::optional<std::chrono::nanoseconds> timeout) override;
  void wake() override;
  void connect(const Endpoint& to, ConnectCallback cb) override;
  std::shared_ptr<ListenerImpl> listen(const Endpoint& at, const ListenOptions& options,
                                       AcceptCallback cb, std::error_code& ec) override;
  std::shared_ptr<WatchImpl> watch(SocketHandle fd, unsigned interest, WatchCallback cb) override;
  std::size_t live_handles() const override { return live_.size(); }

  // Used by the sources.
  Loop& loop() { return loop_; }
  void adopt(std::shared_ptr<EpollSource> source);
  // Registers, modifies or removes `fd` so that epoll watches `events`
  // (0 removes it: an idle fd must not report HUP forever).
  void set_events(int fd, EpollSource* source, std::uint32_t events, std::uint32_t& registered);
  void retire(EpollSource* source);
  // One scratch buffer for every read of this loop: read data is only valid
  // during the callback, and callbacks never overlap.
  std::span<std::byte> read_buffer() { return read_buffer_; }

 private:
  int wait(std::optional<std::chrono::nanoseconds> timeout);
  Loop& loop_;
  UniqueFd epoll_fd_;
  UniqueFd wake_fd_;
  std::unordered_map<EpollSource*, std::shared_ptr<EpollSource>> live_;
  std::vector<std::shared_ptr<EpollSource>> graveyard_;
  std::vector<std::byte> read_buffer_;
  std::vector<epoll_event> events_;
  std::size_t next_event_ = 0, ready_events_ = 0;  // events_[next, ready): not yet handled
  bool pwait2_ = true;                             // until the kernel says ENOSYS
};

}  // namespace lb
