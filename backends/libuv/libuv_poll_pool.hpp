#pragma once
// Stopped uv_poll_t handles kept by fd number for the next watch on that
// number. libcurl asks for a new watch on its keep-alive socket for every
// request (CURL_POLL_REMOVE ends each transfer), and libuv 1.44's
// uv_poll_init_socket costs an ioctl(FIONBIO) and an epoll_ctl ADD + DEL
// pair (uv__io_check_fd) each time, and uv_close another turn: measured, 3
// of the 6 system calls per request libuv had over epoll. A kept handle is
// stopped, so libuv has already taken its fd out of the epoll set
// (uv_poll_stop does EPOLL_CTL_DEL at once) and the fd may be closed and its
// number reused; a handle only remembers the number.
//
// Handles given out must be sockets, as watch() says: a reused handle skips
// libuv's check that the fd can be polled, and leaves O_NONBLOCK to the
// fd's owner (libcurl sets it). On Windows nothing is kept: libuv's poll
// handle there remembers facts of the socket itself (its AFD base handle).
#include <uv.h>

#include <cstddef>
#include <memory>
#include <unordered_map>

#include "engine/backend.hpp"

namespace lb {

class LibuvPollPool {
 public:
  explicit LibuvPollPool(uv_loop_t* loop) : loop_(loop) {}
  LibuvPollPool(const LibuvPollPool&) = delete;
  LibuvPollPool& operator=(const LibuvPollPool&) = delete;

  // A stopped handle for `fd`, kept or new; nullptr when libuv refuses the
  // fd (with `status`, libuv's error).
  uv_poll_t* take(SocketHandle fd, int& status);
  // Stops `handle` (taken for `fd`) and keeps it, or closes and frees it
  // when the pool is full or closed. Callers must not touch it afterwards.
  void give_back(SocketHandle fd, uv_poll_t* handle);
  // Closes every kept handle and keeps none from now on (the loop goes).
  void close_all();

 private:
  static void close_and_free(uv_poll_t* handle);

  uv_loop_t* loop_;
  bool closed_ = false;
  // fd -> its stopped handle. Bounded: fd numbers are reused lowest first,
  // so a busy client cycles through a few.
  std::unordered_map<SocketHandle, std::unique_ptr<uv_poll_t>> kept_;
};

}  // namespace lb
