#include "backends/libuv/libuv_listener.hpp"

#ifndef _WIN32
#include <sys/socket.h>  // SO_REUSEPORT (Windows has none)
#endif

#include "backends/common/address.hpp"
#include "backends/libuv/libuv_stream.hpp"
#include "engine/callback_slot.hpp"

namespace lb {

LibuvListener::LibuvListener(LibuvBackend& backend, AcceptCallback cb)
    : backend_(backend), accept_cb_(std::move(cb)) {
  backend_.handle_opened();
}

std::shared_ptr<ListenerImpl> LibuvListener::open(LibuvBackend& backend, const Endpoint& at,
                                                  const ListenOptions& options, AcceptCallback cb,
                                                  std::error_code& ec) {
  SocketAddress address;
  if ((ec = resolve(at, address))) return nullptr;
  auto listener = std::make_shared<LibuvListener>(backend, std::move(cb));
  uv_tcp_init_ex(backend.uv(), &listener->tcp_, static_cast<unsigned>(address.family()));
  listener->tcp_.data = static_cast<LibuvSource*>(listener.get());
  listener->self_ = listener;
  int rc = 0;
#ifdef SO_REUSEPORT
  // libuv 1.44 has no UV_TCP_REUSEPORT; set it on the socket it created.
  if (options.reuse_port) {
    uv_os_fd_t fd;
    const int one = 1;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&listener->tcp_), &fd) == 0 &&
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      rc = -errno;
  }
#else
  if (options.reuse_port) rc = UV_ENOTSUP;
#endif
  // libuv reports a bind conflict from bind or, deferred, from listen.
  if (rc == 0) rc = uv_tcp_bind(&listener->tcp_, address.get(), 0);
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->tcp_), options.backlog,
                   &LibuvListener::on_connection);
  if (rc != 0) {
    ec = uv_error_code(rc);
    listener->close();
    return nullptr;
  }
  SocketAddress bound;
  int len = sizeof bound.storage;
  uv_tcp_getsockname(&listener->tcp_, reinterpret_cast<sockaddr*>(&bound.storage), &len);
  listener->port_ = port_of(bound);
  return listener;
}

void LibuvListener::on_connection(uv_stream_t* server, int status) {
  auto* raw = static_cast<LibuvListener*>(static_cast<LibuvSource*>(server->data));
  if (status != 0 || raw->closed_) return;  // a failed accept drops that attempt only
  auto self = raw->shared_from_this();
  auto stream = LibuvStream::create(self->backend_);
  if (uv_accept(server, stream->uv_stream()) != 0) {
    stream->close();
    return;
  }
  uv_tcp_nodelay(reinterpret_cast<uv_tcp_t*>(stream->uv_stream()), 1);
  invoke_slot(self->accept_cb_, Stream(std::move(stream)));
}

void LibuvListener::close() {
  if (closed_) return;
  closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) {
    auto* self = static_cast<LibuvListener*>(static_cast<LibuvSource*>(h->data));
    self->accept_cb_ = nullptr;
    auto keep = std::move(self->self_);
  });
}

void LibuvListener::teardown() {
  accept_cb_ = nullptr;
  close();
}

}  // namespace lb
