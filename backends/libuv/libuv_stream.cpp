#include "backends/libuv/libuv_stream.hpp"

#include "backends/common/address.hpp"
#include "engine/callback_slot.hpp"
#include "engine/error.hpp"
#include "engine/loop.hpp"

namespace lb {
namespace {
constexpr std::size_t kMaxBuffers = 1024;
}

struct LibuvStream::WriteRequest {
  uv_write_t req{};
  std::shared_ptr<LibuvStream> stream;
  BufferList bufs;
  std::vector<uv_buf_t> uv_bufs;
  WriteCallback cb;  // the last request of a write() only
  // Shared by the requests of a write() split in several; null otherwise.
  std::shared_ptr<std::error_code> first_error;
};

struct LibuvStream::ShutdownRequest {
  uv_shutdown_t req{};
  std::shared_ptr<LibuvStream> stream;
  WriteCallback cb;
};

struct LibuvStream::ConnectRequest {
  uv_connect_t req{};
  std::shared_ptr<LibuvStream> stream;
  ConnectCallback cb;
};

LibuvStream::LibuvStream(LibuvBackend& backend) : backend_(backend) {
  backend_.handle_opened();
}

std::shared_ptr<LibuvStream> LibuvStream::create(LibuvBackend& backend) {
  auto stream = std::make_shared<LibuvStream>(backend);
  uv_tcp_init(backend.uv(), &stream->tcp_);
  stream->tcp_.data = static_cast<LibuvSource*>(stream.get());
  stream->self_ = stream;
  return stream;
}

void LibuvStream::connect(LibuvBackend& backend, const Endpoint& to, ConnectCallback cb) {
  SocketAddress address;
  std::error_code ec = resolve(to, address);
  std::shared_ptr<LibuvStream> stream;
  auto request = std::make_unique<ConnectRequest>();
  if (!ec) {
    stream = create(backend);
    uv_tcp_nodelay(&stream->tcp_, 1);
    request->stream = stream;
    request->cb = std::move(cb);
    request->req.data = request.get();
    const int rc = uv_tcp_connect(
        &request->req, &stream->tcp_, address.get(), [](uv_connect_t* req, int status) {
          std::unique_ptr<ConnectRequest> r(static_cast<ConnectRequest*>(req->data));
          auto& s = r->stream;
          if (s->closed_) return;
          if (status != 0) {
            s->close();
            r->cb(uv_error_code(status), Stream{});
            return;
          }
          r->cb({}, Stream(s));
        });
    if (rc == 0) {
      request.release();  // owned by libuv until the callback
      return;
    }
    ec = uv_error_code(rc);
    stream->close();
    cb = std::move(request->cb);
  }
  backend.loop().defer([cb = std::move(cb), ec] { cb(ec, Stream{}); });
}

void LibuvStream::read_start(ReadCallback cb) {
  read_cb_ = std::move(cb);
  if (reading_ || closed_) return;
  reading_ = true;
  if (!paused_for_turn_) start_uv_reading();
}

void LibuvStream::start_uv_reading() {
  uv_read_start(
      uv_stream(),
      [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
        auto* self = static_cast<LibuvStream*>(static_cast<LibuvSource*>(h->data));
        *buf = self->backend_.read_buffer();
      },
      &LibuvStream::on_read);
}

void LibuvStream::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* raw = static_cast<LibuvStream*>(static_cast<LibuvSource*>(s->data));
  if (nread == 0 || raw->closed_) return;  // EAGAIN
  auto self = raw->shared_from_this();
  if (nread > 0) {
    TurnBudget& budget = self->backend_.loop().turn_budget();
    budget.begin();
    invoke_slot(self->read_cb_, std::error_code{},
                std::as_writable_bytes(std::span(buf->base, static_cast<std::size_t>(nread))));
    if (self->reading_ && !self->closed_ && budget.spent()) self->pause_for_turn();
    return;
  }
  self->read_stop();
  invoke_slot(self->read_cb_, uv_error_code(static_cast<int>(nread)), std::span<std::byte>{});
}

void LibuvStream::read_stop() {
  if (!reading_) return;
  reading_ = false;
  if (!closed_ && !paused_for_turn_) uv_read_stop(uv_stream());
}

void LibuvStream::pause_for_turn() {
  uv_read_stop(uv_stream());
  paused_for_turn_ = true;
  backend_.loop().defer([self = shared_from_this()] {
    self->paused_for_turn_ = false;
    if (self->reading_ && !self->closed_) self->start_uv_reading();
  });
}

void LibuvStream::write(BufferList bufs, WriteCallback cb) {
  if (shut_down_ || closed_) {
    backend_.loop().defer([cb = std::move(cb)] { cb(errc::shut_down); });
    return;
  }
  // One uv_write per kMaxBuffers slices: Wine's WSASend refuses more than
  // 1024 buffers (UV_EMSGSIZE). libuv keeps the requests in order; the last
  // one calls back, with the first error any of them met.
  const auto first_error =
      bufs.size() > kMaxBuffers ? std::make_shared<std::error_code>() : nullptr;
  for (std::size_t from = 0; from < bufs.size() || from == 0; from += kMaxBuffers) {
    const std::size_t to = std::min(bufs.size(), from + kMaxBuffers);
    const bool last = to == bufs.size();
    auto request = std::make_unique<WriteRequest>();
    request->uv_bufs.reserve(to - from);
    for (std::size_t i = from; i < to; ++i)
      request->uv_bufs.push_back(
          uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(bufs[i].data())),
                      static_cast<unsigned>(bufs[i].size)));
    if (last && from == 0) {
      request->bufs = std::move(bufs);
    } else {
      request->bufs.assign(bufs.begin() + static_cast<std::ptrdiff_t>(from),
                           bufs.begin() + static_cast<std::ptrdiff_t>(to));
    }
    if (last) request->cb = std::move(cb);
    request->first_error = first_error;
    request->stream = shared_from_this();
    request->req.data = request.get();
    const int rc = uv_write(&request->req, uv_stream(), request->uv_bufs.data(),
                            static_cast<unsigned>(request->uv_bufs.size()), &LibuvStream::on_write);
    if (rc != 0) {  // earlier pieces are in flight without a callback
      report_write_error(last ? std::move(request->cb) : std::move(cb), rc);
      return;
    }
    ++writes_pending_;
    request.release();  // owned by libuv until on_write
    if (last) return;
  }
}

void LibuvStream::report_write_error(WriteCallback cb, int rc) {
  backend_.loop().defer([self = shared_from_this(), cb = std::move(cb), rc] {
    if (!self->closed_) cb(uv_error_code(rc));
  });
}

void LibuvStream::on_write(uv_write_t* req, int status) {
  std::unique_ptr<WriteRequest> r(static_cast<WriteRequest*>(req->data));
  auto& self = r->stream;
  --self->writes_pending_;
  if (self->closed_) return;
  std::error_code ec = status == 0 ? std::error_code{} : uv_error_code(status);
  if (r->first_error) {
    if (ec && !*r->first_error) *r->first_error = ec;
    ec = *r->first_error;
  }
  if (r->cb) r->cb(ec);
  if (!self->closed_ && self->writes_pending_ == 0 && self->drain_cb_) invoke_slot(self->drain_cb_);
}

void LibuvStream::shutdown(WriteCallback cb) {
  if (shut_down_ || closed_) {
    backend_.loop().defer([cb = std::move(cb)] { cb(errc::shut_down); });
    return;
  }
  shut_down_ = true;
  auto request = std::make_unique<ShutdownRequest>();
  request->stream = shared_from_this();
  request->cb = std::move(cb);
  request->req.data = request.get();
  const int rc = uv_shutdown(&request->req, uv_stream(), [](uv_shutdown_t* req, int status) {
    std::unique_ptr<ShutdownRequest> r(static_cast<ShutdownRequest*>(req->data));
    if (r->stream->closed_) return;
    r->cb(status == 0 ? std::error_code{} : uv_error_code(status));
  });
  if (rc != 0) {
    backend_.loop().defer([self = shared_from_this(), cb = std::move(request->cb), rc] {
      if (!self->closed_) cb(uv_error_code(rc));
    });
    return;
  }
  request.release();
}

void LibuvStream::close() {
  if (closed_) return;
  closed_ = true;
  reading_ = false;
  // Pending write and shutdown requests complete with UV_ECANCELED and are
  // freed then; the handle itself once the close callback has run.
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) {
    auto* self = static_cast<LibuvStream*>(static_cast<LibuvSource*>(h->data));
    self->release_callbacks();
    auto keep = std::move(self->self_);
  });
}

void LibuvStream::teardown() {
  release_callbacks();
  close();
}

void LibuvStream::release_callbacks() {
  read_cb_ = nullptr;
  drain_cb_ = nullptr;
}

std::uint16_t LibuvStream::local_port() const {
  SocketAddress address;
  int len = sizeof address.storage;
  if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&address.storage), &len) != 0) return 0;
  return port_of(address);
}

}  // namespace lb
