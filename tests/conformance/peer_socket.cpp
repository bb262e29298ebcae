#include "peer_socket.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <doctest/doctest.h>

namespace lb::test {
namespace {

#ifdef _WIN32
void close_socket(SocketHandle s) {
  ::closesocket(s);
}
void set_nonblocking(SocketHandle s) {
  u_long on = 1;
  ::ioctlsocket(s, FIONBIO, &on);
}
constexpr int kShutWrite = SD_SEND, kShutBoth = SD_BOTH, kSendFlags = 0;
using Length = int;
#else
void close_socket(SocketHandle s) {
  ::close(s);
}
void set_nonblocking(SocketHandle s) {
  ::fcntl(s, F_SETFL, ::fcntl(s, F_GETFL) | O_NONBLOCK);
}
constexpr int kShutWrite = SHUT_WR, kShutBoth = SHUT_RDWR, kSendFlags = MSG_NOSIGNAL;
using Length = socklen_t;
#endif

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

SocketHandle new_tcp_socket() {
#ifdef _WIN32
  static const bool started = [] {
    WSADATA data;
    return ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }();
  REQUIRE(started);
#endif
  const SocketHandle s = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(s != static_cast<SocketHandle>(-1));
  return s;
}

}  // namespace

PeerSocket PeerSocket::connect_local(std::uint16_t port) {
  PeerSocket peer(new_tcp_socket());
  const sockaddr_in sa = loopback(port);
  REQUIRE(::connect(peer.s_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0);
  return peer;
}

std::pair<PeerSocket, PeerSocket> PeerSocket::pair() {
  PeerSocket listener(new_tcp_socket());
  sockaddr_in sa = loopback(0);
  REQUIRE(::bind(listener.s_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::listen(listener.s_, 1) == 0);
  Length len = sizeof sa;
  REQUIRE(::getsockname(listener.s_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  PeerSocket a = connect_local(ntohs(sa.sin_port));
  PeerSocket b(::accept(listener.s_, nullptr, nullptr));
  REQUIRE(b);
  set_nonblocking(a.s_);
  set_nonblocking(b.s_);
  return {std::move(a), std::move(b)};
}

long PeerSocket::send(const void* data, std::size_t n) {
  return static_cast<long>(
      ::send(s_, static_cast<const char*>(data), static_cast<int>(n), kSendFlags));
}

long PeerSocket::recv(void* data, std::size_t n) {
  return static_cast<long>(::recv(s_, static_cast<char*>(data), static_cast<int>(n), 0));
}

void PeerSocket::shutdown_write() {
  ::shutdown(s_, kShutWrite);
}

void PeerSocket::shutdown_both() {
  ::shutdown(s_, kShutBoth);
}

void PeerSocket::linger_zero() {
  linger lg{1, 0};
  ::setsockopt(s_, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&lg), sizeof lg);
}

void PeerSocket::reset() {
  if (s_ != kNone) close_socket(s_);
  s_ = kNone;
}

}  // namespace lb::test
