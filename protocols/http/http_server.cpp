#include "protocols/http/http_server.hpp"

#include <system_error>

#include "engine/error.hpp"
#include "protocols/http/request_reader.hpp"

namespace lb::http {
namespace {
// Stop reading from a client that pipelines faster than it reads answers.
constexpr std::size_t kMaxQueuedResponseBytes = 4 << 20;
}  // namespace

class Server::Connection {
 public:
  Connection(Server& server, std::uint64_t id, Stream stream)
      : server_(server),
        id_(id),
        stream_(std::move(stream)),
        reader_(server.options_.limits),
        last_request_(Clock::now()) {
    reader_.on_continue(
        [this] { stream_.write(Routes::continue_response(), [](std::error_code) {}); });
    stream_.set_drain_callback([this] {
      if (paused_ && !closing_) {
        paused_ = false;
        start_reading();
      }
    });
    start_reading();
  }

  Clock::time_point last_request() const { return last_request_; }
  bool closing() const { return closing_; }

 private:
  void start_reading() {
    stream_.read_start([this](std::error_code ec, std::span<const std::byte> data) {
      if (ec == errc::eof && !closing_) {
        // The client is done sending; answers already queued still go out.
        closing_ = true;
        stream_.shutdown([this](std::error_code) { server_.close_connection(id_); });
        return;
      }
      if (ec) return server_.close_connection(id_);
      const int status = reader_.feed(data, [this](const Request& r) { answer(r); });
      if (status) {
        ++server_.stats_.bad_requests;
        finish_with(Routes::error(status));
      } else if (!closing_ && stream_.write_queue_bytes() > kMaxQueuedResponseBytes) {
        paused_ = true;
        stream_.read_stop();
      }
    });
  }

  void answer(const Request& request) {
    if (closing_) return;
    ++server_.stats_.requests;
    last_request_ = Clock::now();
    // This server speaks no other protocol: answer, then close.
    bool keep_alive = request.keep_alive && !request.upgrade;
    if (server_.options_.close_probability > 0 &&
        std::uniform_real_distribution<double>(0, 1)(server_.rng_) <
            server_.options_.close_probability)
      keep_alive = false;
    auto response = server_.routes_.respond(request.method, request.target, keep_alive);
    if (keep_alive)
      stream_.write(std::move(response), [](std::error_code) {});
    else
      finish_with(std::move(response));
  }

  // Last response: send it, half-close, and drop the connection once the
  // FIN is out. Requests pipelined behind it are not answered.
  void finish_with(BufferList response) {
    if (closing_) return;
    closing_ = true;
    stream_.read_stop();
    stream_.write(std::move(response), [](std::error_code) {});
    stream_.shutdown([this](std::error_code) { server_.close_connection(id_); });
  }

  Server& server_;
  std::uint64_t id_;
  Stream stream_;
  RequestReader reader_;
  Clock::time_point last_request_;
  bool closing_ = false;
  bool paused_ = false;
};

Server::Server(Loop& loop, const Routes& routes, ServerOptions options)
    : loop_(loop), routes_(routes), options_(options) {}

Server::~Server() = default;

void Server::listen(const Endpoint& at, bool reuse_port) {
  std::error_code ec;
  ListenOptions lo;
  lo.reuse_port = reuse_port;
  listener_ = loop_.listen(
      at, lo, [this](Stream s) { accepted(std::move(s)); }, ec);
  if (ec) throw std::system_error(ec, "cannot listen on " + at.to_string());
  sweep_idle();
}

void Server::accepted(Stream stream) {
  ++stats_.connections;
  const auto id = next_id_++;
  if (!options_.tls) return serve(id, std::move(stream));
  handshakes_[id] = {tls::start_tls(loop_, std::move(stream), options_.tls, tls::Role::server, "",
                                    [this, id](std::error_code ec, Stream s) {
                                      handshakes_.erase(id);  // ended: nothing to abandon
                                      if (ec) {
                                        ++stats_.tls_failed;
                                        return;
                                      }
                                      serve(id, std::move(s));
                                    }),
                     Clock::now()};
}

void Server::serve(std::uint64_t id, Stream stream) {
  connections_.emplace(id, std::make_unique<Connection>(*this, id, std::move(stream)));
}

// Connections end from inside their own callbacks: unhook now, free on the
// next turn.
void Server::close_connection(std::uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  std::shared_ptr<Connection> dying = std::move(it->second);
  connections_.erase(it);
  loop_.defer([dying] {});
}

void Server::sweep_idle() {
  const auto now = Clock::now();
  std::vector<std::uint64_t> idle;
  for (const auto& [id, c] : connections_)
    if (now - c->last_request() > options_.idle_timeout) idle.push_back(id);
  for (auto id : idle) {
    ++stats_.idle_closed;
    close_connection(id);
  }
  // A client stalled mid-handshake is dropped the same way.
  for (auto it = handshakes_.begin(); it != handshakes_.end();) {
    if (now - it->second.started <= options_.idle_timeout) {
      ++it;
      continue;
    }
    ++stats_.idle_closed;
    ++stats_.tls_failed;
    it = handshakes_.erase(it);
  }
  const auto period = std::min<std::chrono::milliseconds>(options_.idle_timeout / 4,
                                                          std::chrono::milliseconds(1000));
  sweep_ =
      loop_.start_timer(std::max(period, std::chrono::milliseconds(10)), [this] { sweep_idle(); });
}

}  // namespace lb::http
