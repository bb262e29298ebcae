#pragma once
// A TCP proxy for tests that injects one fault into one of the connections
// it relays: at a given byte offset in one direction it resets both sides,
// stalls that direction, half-closes it, or truncates the whole connection.
// It runs on a thread of its own with plain poll(), so none of our loops is
// in the path it tests. Every other connection is relayed untouched, and
// the bytes each carried in each direction are counted.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lb::test {

enum class Fault { none, reset, stall, half_close, truncate };
const char* fault_name(Fault f);

enum class Direction { up, down };  // up: client to server

struct FaultPlan {
  Fault fault = Fault::none;
  Direction direction = Direction::down;
  std::uint64_t offset = 0;    // bytes of that direction relayed before the fault
  std::size_t connection = 0;  // which accepted connection, from 0
};

struct RelayedBytes {
  std::uint64_t up = 0, down = 0;
};

class FaultProxy {
 public:
  FaultProxy(int server_port, FaultPlan plan);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  // Whether the planned fault happened (its connection reached the offset).
  bool fired() const { return fired_.load(); }
  // Per accepted connection, in accept order.
  std::vector<RelayedBytes> relayed() const;
  // Connections still open through the proxy.
  std::size_t open_connections() const;

 private:
  struct Pair;
  void run();
  void accept_one();
  void pump(Pair& p, Direction d);
  void fire(Pair& p);

  int server_port_;
  FaultPlan plan_;
  int listener_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  std::atomic<bool> fired_{false};
  mutable std::mutex mutex_;
  std::vector<RelayedBytes> relayed_;
  std::vector<std::unique_ptr<Pair>> pairs_;
  std::thread thread_;
};

}  // namespace lb::test
