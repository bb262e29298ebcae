#pragma once
// A plain blocking TCP client with a receive timeout, for speaking raw
// (and deliberately broken) HTTP to the server under test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace lb::test {

class RawClient {
 public:
  explicit RawClient(int port, int timeout_ms = 3000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    set_timeout(timeout_ms);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  // How long a receive waits for the next bytes, and a send for room: a
  // server that stops reading fails the send instead of hanging the test.
  void set_timeout(int timeout_ms) {
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  bool send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Reads until `bytes` arrived, EOF, or the timeout; returns what came.
  std::string receive(std::size_t bytes) {
    std::string out;
    char buf[65536];
    while (out.size() < bytes) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_ = n == 0;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  std::string receive_all() { return receive(SIZE_MAX); }
  void set_nodelay() {
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  // Abortive close: the peer sees a reset.
  void reset() {
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::close(fd_);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);  // keeps the destructor simple
  }
  // True once a receive ended because the server closed the connection.
  bool saw_eof() const { return eof_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
};

}  // namespace lb::test
