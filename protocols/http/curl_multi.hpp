#pragma once
// libcurl's multi_socket API driven by any Backend: curl's socket callback
// becomes fd watches, its timer callback one engine timer, readiness becomes
// curl_multi_socket_action, and finished transfers come out of
// curl_multi_info_read after every action. Written once, against the
// contract, for epoll, libuv and io_uring alike.
//
// Easy handles added here get open/close-socket callbacks, so we create and
// close their sockets ourselves and always stop watching an fd before it is
// closed (an fd number may come back at once for a new connection). A
// socket we opened keeps its watch, paused, between transfers
// (CURL_POLL_REMOVE ends each one on a keep-alive connection), which costs
// no system call on any backend, unlike a new watch per request.
#include <curl/curl.h>

#include <functional>
#include <memory>
#include <system_error>
#include <unordered_map>

#include "engine/loop.hpp"
#include "protocols/http/curl_handles.hpp"

namespace lb::http {

// CURLMcode values as std::error_code (message: curl_multi_strerror).
const std::error_category& curl_multi_category() noexcept;
std::error_code make_multi_error(CURLMcode code) noexcept;

class CurlMulti {
 public:
  // Runs on the loop for each finished transfer; it may remove or re-add
  // that handle, or add others.
  using DoneCallback = std::function<void(CURL* easy, CURLcode result)>;

  // `max_connections`: CURLMOPT_MAXCONNECTS, at least the concurrency, or
  // curl closes connections it could have reused.
  CurlMulti(Loop& loop, long max_connections, DoneCallback done);
  // Removes nothing: the owner removes its easy handles first. The loop must
  // outlive this object.
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // HTTP/2: at most `connections` to a host, each carrying up to `streams`
  // transfers at once (easy handles also need CURLOPT_PIPEWAIT, so that they
  // wait for a stream instead of opening a connection of their own).
  // Also guards against a libcurl 7.88 defect (below).
  void multiplex(long connections, long streams);
  // Installs the socket callbacks on `easy`: once per easy handle, before
  // its first add (curl keeps them between transfers). Throws
  // std::runtime_error when libcurl refuses them.
  void adopt(CURL* easy);
  // Starts the transfer of an adopted `easy`; an error when curl refuses
  // the handle (then no transfer runs).
  [[nodiscard]] std::error_code add(CURL* easy);
  [[nodiscard]] std::error_code remove(CURL* easy);
  // The first error curl_multi_socket_action returned, if any: the
  // transfers it was driving may have ended by their timeouts instead.
  std::error_code error() const { return error_; }
  // Transfers that finished after the stall guard woke curl, before any
  // socket event did: responses libcurl held back.
  std::uint64_t rescued() const { return rescued_; }

 private:
  struct Socket {
    Watch watch;
    bool opened_here = false;  // lives until on_close_socket
  };
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  static curl_socket_t on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
  static int on_close_socket(void* self, curl_socket_t fd);
  void action(curl_socket_t fd, int events);  // a socket event or curl's timer
  void run(curl_socket_t fd, int events);
  void drain_finished();
  void arm_stall_guard();
  void check_stall();
  void forget(curl_socket_t fd);

  Loop& loop_;
  DoneCallback done_;
  MultiHandle multi_;
  Timer timer_;
  // libcurl 7.88's HTTP/2 code can leave a stream's last frame in its
  // connection buffer with no transfer marked to drain it and no socket
  // event or timer due: the multi_socket API then waits for --timeout
  // although the response is complete. So on multiplexed connections, a
  // quiet interval with transfers running tells curl each connection is
  // readable (check_stall), and the transfer it runs reads the buffer.
  // `kicked_` lasts until the next socket event: transfers finishing
  // meanwhile count as rescued.
  bool guard_stalls_ = false;
  Timer stall_guard_;
  int running_ = 0;
  std::uint64_t actions_ = 0;
  std::uint64_t actions_at_check_ = 0;
  bool kicked_ = false;
  std::uint64_t rescued_ = 0;
  std::error_code error_;
  // Keyed by fd while that socket is open: a socket we opened has its entry
  // until we close it; one curl opened itself (its resolver's socketpair)
  // until CURL_POLL_REMOVE, as we never learn when it closes. So a reused
  // number always gets a new Socket.
  std::unordered_map<curl_socket_t, std::unique_ptr<Socket>> sockets_;
};

}  // namespace lb::http
