#pragma once
#include "backends/libuv/libuv_backend.hpp"

namespace lb {

class LibuvListener final : public ListenerImpl,
                            public LibuvSource,
                            public std::enable_shared_from_this<LibuvListener> {
 public:
  LibuvListener(LibuvBackend& backend, AcceptCallback cb);
  ~LibuvListener() override { backend_.handle_released(); }
  static std::shared_ptr<ListenerImpl> open(LibuvBackend& backend, const Endpoint& at,
                                            const ListenOptions& options, AcceptCallback cb,
                                            std::error_code& ec);

  std::uint16_t local_port() const override { return port_; }
  void close() override;
  void teardown() override;

 private:
  static void on_connection(uv_stream_t* server, int status);

  LibuvBackend& backend_;
  uv_tcp_t tcp_{};
  std::shared_ptr<LibuvListener> self_;
  bool closed_ = false;
  std::uint16_t port_ = 0;
  AcceptCallback accept_cb_;
};

}  // namespace lb
