#pragma once
// The reserve-descriptor technique libuv uses when accept() runs out of
// descriptors (EMFILE, ENFILE): one spare descriptor is held open; when
// accept fails, it is given up so that the connections waiting in the
// backlog can be accepted and closed at once (shed), then it is taken
// again. Without this a waiting connection keeps the listener readable and
// a level-triggered loop (epoll, a re-armed io_uring accept) spins until
// descriptors free up.
#include <cstddef>

#include "engine/unique_fd.hpp"

namespace lb {

class AcceptReserve {
 public:
  AcceptReserve();
  // True for accept() errors that this answers (no descriptor, no memory).
  static bool out_of_descriptors(int error);
  // Accepts and closes every connection waiting on `listen_fd` (blocking
  // or not; it never blocks); returns how many it shed.
  std::size_t shed(int listen_fd);

 private:
  UniqueFd spare_;
};

}  // namespace lb
