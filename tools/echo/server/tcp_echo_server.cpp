#include "tools/echo/server/tcp_echo_server.hpp"

#include <system_error>

#include "engine/error.hpp"
#include "tools/process/cpu.hpp"

namespace lb {
namespace {
constexpr std::size_t kMaxQueued = 1 << 20;
}

class TcpEchoServer::Connection {
 public:
  Connection(TcpEchoServer& server, std::uint64_t id, Stream stream)
      : server_(server), id_(id), stream_(std::move(stream)) {
    stream_.set_drain_callback([this] { resume(); });
    resume();
  }
  void close() { stream_.close(); }

 private:
  void resume() {
    if (reading_ || ended_) return;
    reading_ = true;
    stream_.read_start(
        [this](std::error_code ec, std::span<std::byte> data) { on_read(ec, data); });
  }

  void on_read(std::error_code ec, std::span<std::byte> data) {
    if (ec) {
      reading_ = false;
      ended_ = true;
      if (ec != errc::eof) return server_.finish(id_, false);
      // The client is done: its last echoes go out before our FIN.
      return stream_.shutdown([this](std::error_code e) { server_.finish(id_, !e); });
    }
    server_.bytes_ += data.size();
    stream_.write({copy_slice(data)}, [this](std::error_code e) {
      if (e) server_.finish(id_, false);
    });
    if (stream_.write_queue_bytes() > kMaxQueued) {
      reading_ = false;
      stream_.read_stop();
    }
  }

  TcpEchoServer& server_;
  std::uint64_t id_;
  Stream stream_;
  bool reading_ = false;
  bool ended_ = false;
};

TcpEchoServer::TcpEchoServer(Loop& loop) : loop_(loop), connections_(loop) {}
TcpEchoServer::~TcpEchoServer() = default;

void TcpEchoServer::listen(const Endpoint& at, bool reuse_port) {
  ListenOptions options;
  options.reuse_port = reuse_port;
  options.backlog = 4096;
  listener_ = listen_or_throw(loop_, at, options, [this](Stream s) {
    const auto id = connections_.next_id();
    connections_.add(id, std::make_unique<Connection>(*this, id, std::move(s)));
  });
}

// Closed now (no further callbacks), freed on the next turn.
void TcpEchoServer::finish(std::uint64_t id, bool ok) {
  Connection* connection = connections_.find(id);
  if (!connection) return;
  if (!ok) ++failed_;
  connection->close();
  connections_.remove(id);
  loop_.defer([this] {
    // Idle again: what the connections held goes back to the system, so
    // the next run's resident set per connection starts from here.
    if (connections_.empty()) release_free_memory();
  });
}

}  // namespace lb
