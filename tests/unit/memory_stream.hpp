#pragma once
// An in-memory transport for protocol unit tests: a Loop whose backend does
// no I/O (timers and deferred work still run), and a stream whose writes are
// collected and whose reads the test delivers, split however it likes.
#include <memory>
#include <vector>

#include "engine/backend.hpp"
#include "engine/error.hpp"
#include "engine/handles.hpp"
#include "engine/loop.hpp"

namespace lb::test {

class NullBackend final : public Backend {
 public:
  std::string_view name() const override { return "memory"; }
  void run_once(std::optional<std::chrono::nanoseconds>) override {}
  void wake() override {}
  void connect(const Endpoint&, ConnectCallback) override {}
  std::shared_ptr<ListenerImpl> listen(const Endpoint&, const ListenOptions&, AcceptCallback,
                                       std::error_code& ec) override {
    ec = make_error_code(errc::unsupported);
    return nullptr;
  }
  std::shared_ptr<WatchImpl> watch(SocketHandle, unsigned, WatchCallback) override {
    return nullptr;
  }
  std::size_t live_handles() const override { return 0; }
};

inline std::unique_ptr<Loop> make_memory_loop() {
  return std::make_unique<Loop>([](Loop&) { return std::make_unique<NullBackend>(); });
}

class MemoryStream final : public StreamImpl {
 public:
  // StreamImpl
  void read_start(ReadCallback cb) override {
    read_cb_ = std::move(cb);
    reading_ = true;
  }
  void read_stop() override { reading_ = false; }
  void write(BufferList bufs, WriteCallback cb) override {
    for (const auto& s : bufs)
      written.insert(written.end(), s.data(), s.data() + s.size);
    pending_.push_back(std::move(cb));
  }
  void shutdown(WriteCallback cb) override {
    shut_down = true;
    pending_.push_back(std::move(cb));
  }
  std::size_t write_queue_bytes() const override { return 0; }
  void set_drain_callback(DrainCallback) override {}
  void close() override {
    closed = true;
    reading_ = false;
    read_cb_ = nullptr;
  }
  std::uint16_t local_port() const override { return 0; }

  // The test's side. Delivers `data` as one read (a private, writable copy)
  // if the reader is reading; returns whether it was.
  bool deliver(std::span<const std::byte> data) {
    if (!reading_ || closed) return false;
    Bytes copy(data.begin(), data.end());
    auto cb = read_cb_;
    cb({}, copy);
    return true;
  }
  void end() {
    if (reading_ && !closed) {
      auto cb = read_cb_;
      cb(make_error_code(errc::eof), {});
    }
  }
  // Completes every write so far, as the kernel taking the bytes would.
  void complete_writes() {
    auto done = std::move(pending_);
    pending_.clear();
    for (auto& cb : done)
      if (cb && !closed) cb({});
  }
  bool reading() const { return reading_ && !closed; }

  Bytes written;
  bool closed = false;
  bool shut_down = false;

 private:
  ReadCallback read_cb_;
  bool reading_ = false;
  std::vector<WriteCallback> pending_;
};

}  // namespace lb::test
