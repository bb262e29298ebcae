#include "protocols/http/curl_multi.hpp"

#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <stdexcept>
#include <vector>

namespace lb::http {
namespace {

// How long multiplexed transfers may run without any socket event or timer
// before the stall guard runs them all.
constexpr std::chrono::milliseconds kStallCheck{50};

// The sockets libcurl gets from us, not inherited by child processes.
curl_socket_t open_socket(const curl_sockaddr& a) {
#ifdef _WIN32
  return ::WSASocketW(a.family, a.socktype, a.protocol, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
#else
  return ::socket(a.family, a.socktype | SOCK_CLOEXEC, a.protocol);
#endif
}

int close_socket(curl_socket_t fd) {
#ifdef _WIN32
  return ::closesocket(fd);
#else
  return ::close(fd);
#endif
}

// curl_multi_setopt with options this file passes cannot fail but for a
// libcurl too old to know them: that is a setup error.
template <typename Value>
void set_option(CURLM* multi, CURLMoption option, Value value) {
  const CURLMcode rc = curl_multi_setopt(multi, option, value);
  if (rc != CURLM_OK)
    throw std::runtime_error(std::string("curl_multi_setopt: ") + curl_multi_strerror(rc));
}

class MultiCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "curl_multi"; }
  std::string message(int code) const override {
    return curl_multi_strerror(static_cast<CURLMcode>(code));
  }
};

}  // namespace

const std::error_category& curl_multi_category() noexcept {
  static const MultiCategory category;
  return category;
}

std::error_code make_multi_error(CURLMcode code) noexcept {
  if (code == CURLM_OK) return {};
  return {static_cast<int>(code), curl_multi_category()};
}

CurlMulti::CurlMulti(Loop& loop, long max_connections, DoneCallback done)
    : loop_(loop), done_(std::move(done)) {
  ensure_curl_global_init();
  multi_.reset(curl_multi_init());
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  set_option(multi_.get(), CURLMOPT_SOCKETFUNCTION, &CurlMulti::on_socket);
  set_option(multi_.get(), CURLMOPT_SOCKETDATA, this);
  set_option(multi_.get(), CURLMOPT_TIMERFUNCTION, &CurlMulti::on_timer);
  set_option(multi_.get(), CURLMOPT_TIMERDATA, this);
  set_option(multi_.get(), CURLMOPT_MAXCONNECTS, max_connections);
}

// curl_multi_cleanup closes cached connections through our callbacks, which
// still need sockets_; watches go after it.
CurlMulti::~CurlMulti() {
  timer_.cancel();
  stall_guard_.cancel();
  multi_.reset();
  sockets_.clear();
}

void CurlMulti::multiplex(long connections, long streams) {
  set_option(multi_.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  set_option(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, connections);
  set_option(multi_.get(), CURLMOPT_MAX_CONCURRENT_STREAMS, streams);
  guard_stalls_ = true;
}

void CurlMulti::adopt(CURL* easy) {
  set_easy_option(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlMulti::on_open_socket);
  set_easy_option(easy, CURLOPT_OPENSOCKETDATA, this);
  set_easy_option(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMulti::on_close_socket);
  set_easy_option(easy, CURLOPT_CLOSESOCKETDATA, this);
}

std::error_code CurlMulti::add(CURL* easy) {
  // Adding calls on_timer(0): the transfer starts on the next loop turn.
  return make_multi_error(curl_multi_add_handle(multi_.get(), easy));
}

std::error_code CurlMulti::remove(CURL* easy) {
  return make_multi_error(curl_multi_remove_handle(multi_.get(), easy));
}

curl_socket_t CurlMulti::on_open_socket(void* self, curlsocktype, curl_sockaddr* a) {
  const curl_socket_t fd = open_socket(*a);
  if (fd != CURL_SOCKET_BAD) {
    auto socket = std::make_unique<Socket>();
    socket->opened_here = true;
    static_cast<CurlMulti*>(self)->sockets_[fd] = std::move(socket);
  }
  return fd;
}

int CurlMulti::on_close_socket(void* self, curl_socket_t fd) {
  static_cast<CurlMulti*>(self)->forget(fd);  // stop watching, then close
  return close_socket(fd);
}

void CurlMulti::forget(curl_socket_t fd) {
  sockets_.erase(fd);  // ~Watch stops watching
}

int CurlMulti::on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
  auto& self = *static_cast<CurlMulti*>(userp);
  auto it = self.sockets_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it == self.sockets_.end()) return 0;
    if (it->second->opened_here)
      it->second->watch.update(kNone);
    else
      self.sockets_.erase(it);
    return 0;
  }
  unsigned interest = kNone;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) interest |= kReadable;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) interest |= kWritable;
  if (it == self.sockets_.end()) it = self.sockets_.emplace(fd, std::make_unique<Socket>()).first;
  Socket& socket = *it->second;
  if (socket.watch) {
    socket.watch.update(interest);
    return 0;
  }
  socket.watch = self.loop_.watch(fd, interest, [&self, fd](unsigned events) {
    int mask = 0;
    if (events & kReadable) mask |= CURL_CSELECT_IN;
    if (events & kWritable) mask |= CURL_CSELECT_OUT;
    if (events & kError) mask |= CURL_CSELECT_ERR;
    self.action(fd, mask);
  });
  return 0;
}

// One replaceable engine timer. A 0 ms timeout becomes an engine timer due
// now, which runs on the next loop turn: never a re-entrant socket_action,
// and not rounded up to 1 ms.
int CurlMulti::on_timer(CURLM*, long timeout_ms, void* userp) {
  auto& self = *static_cast<CurlMulti*>(userp);
  if (timeout_ms < 0) {
    self.timer_.cancel();
    return 0;
  }
  self.timer_ = self.loop_.start_timer(std::chrono::milliseconds(timeout_ms),
                                       [&self] { self.action(CURL_SOCKET_TIMEOUT, 0); });
  return 0;
}

void CurlMulti::action(curl_socket_t fd, int events) {
  if (fd != CURL_SOCKET_TIMEOUT) kicked_ = false;
  run(fd, events);
}

void CurlMulti::run(curl_socket_t fd, int events) {
  ++actions_;
  const auto ec = make_multi_error(curl_multi_socket_action(multi_.get(), fd, events, &running_));
  if (ec && !error_) error_ = ec;
  drain_finished();
  arm_stall_guard();
}

void CurlMulti::drain_finished() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    if (kicked_ && msg->data.result == CURLE_OK) ++rescued_;
    done_(msg->easy_handle, msg->data.result);
  }
}

void CurlMulti::arm_stall_guard() {
  if (!guard_stalls_ || running_ == 0 || stall_guard_.pending()) return;
  actions_at_check_ = actions_;
  stall_guard_ = loop_.start_timer(kStallCheck, [this] { check_stall(); });
}

void CurlMulti::check_stall() {
  if (running_ > 0 && actions_ == actions_at_check_) {
    // Tells curl each connection is readable: the transfer it then runs
    // reads what its connection holds (curl's buffer, then OpenSSL's, then
    // the socket) and hands the stalled stream its bytes. Running the
    // transfers alone would not: each polls its socket, which stays quiet.
    std::vector<curl_socket_t> fds;
    for (const auto& [fd, socket] : sockets_)
      if (socket->opened_here) fds.push_back(fd);
    kicked_ = true;  // until a real socket event
    for (const curl_socket_t fd : fds)
      if (sockets_.count(fd)) run(fd, CURL_CSELECT_IN);
  }
  arm_stall_guard();
}

}  // namespace lb::http
