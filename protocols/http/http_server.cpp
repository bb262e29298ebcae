#include "protocols/http/http_server.hpp"

#include <cstring>
#include <system_error>

#include "engine/error.hpp"
#include "protocols/http/h2_connection.hpp"
#include "protocols/http/request_reader.hpp"

namespace lb::http {
namespace {
// Stop reading from a client that pipelines faster than it reads answers.
constexpr std::size_t kMaxQueuedResponseBytes = 4 << 20;
}  // namespace

class Server::Connection : public ServedConnection {
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

  // What sniffing for the HTTP/2 preface took from the stream; called once
  // the server holds this connection (a request in it may upgrade it).
  void feed_first(std::span<const std::byte> already_read) {
    if (!already_read.empty()) feed(already_read);
  }

  Clock::time_point last_request() const override { return last_request_; }

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
      feed(data);
    });
  }

  void feed(std::span<const std::byte> data) {
    const int status = reader_.feed(data, [this](const Request& r) { answer(r); });
    if (status) {
      ++server_.stats_.bad_requests;
      finish_with(Routes::error(status));
    } else if (!closing_ && stream_.write_queue_bytes() > kMaxQueuedResponseBytes) {
      paused_ = true;
      stream_.read_stop();
    }
  }

  void answer(const Request& request) {
    if (closing_) return;
    if (request.upgrade && !server_.options_.tls &&
        wants_h2c(request.header("upgrade"), request.header("connection"),
                  !request.header("http2-settings").empty()))
      return upgrade_to_h2(request);
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

  // RFC 7540 §3.2: 101, then the same stream speaks HTTP/2 and the request
  // is answered as its stream 1. The HTTP/2 connection takes the stream and
  // what was read after the request; this object only unwinds from here.
  void upgrade_to_h2(const Request& request) {
    closing_ = true;
    static constexpr std::string_view kSwitching =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
    stream_.write({copy_slice(kSwitching)}, [](std::error_code) {});
    const H2cUpgrade upgrade{request.method, request.target,
                             std::string(request.header("http2-settings"))};
    const std::string unread = reader_.take_unread();
    server_.replace_with_h2(id_, std::move(stream_), upgrade, as_bytes(unread));
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

// A cleartext connection whose first bytes are not yet known.
class Server::Sniffing {
 public:
  explicit Sniffing(Stream s) : stream(std::move(s)), started(Clock::now()) {}
  Stream stream;
  Bytes seen;
  Clock::time_point started;
};

Server::Server(Loop& loop, const Routes& routes, ServerOptions options)
    : loop_(loop), routes_(routes), options_(options), connections_(loop) {
  if (options_.tls) tls_.emplace(loop, options_.tls);
}

Server::~Server() = default;

void Server::listen(const Endpoint& at, bool reuse_port) {
  ListenOptions lo;
  lo.reuse_port = reuse_port;
  listener_ = listen_or_throw(loop_, at, lo, [this](Stream s) { accepted(std::move(s)); });
  sweep_idle();
}

void Server::accepted(Stream stream) {
  ++stats_.connections;
  const auto id = connections_.next_id();
  if (!tls_) return serve(id, std::move(stream));
  tls_->accept(std::move(stream), [this, id](std::error_code ec, Stream s) {
    if (ec) {
      ++stats_.tls_failed;
      return;
    }
    serve(id, std::move(s));
  });
}

void Server::serve(std::uint64_t id, Stream stream) {
  const std::string_view agreed = stream.negotiated_protocol();
  if (agreed == "h2") return serve_as(id, std::move(stream), true, {});
  if (agreed == "http/1.1") return serve_as(id, std::move(stream), false, {});
  sniff(id, std::move(stream));
}

void Server::sniff(std::uint64_t id, Stream stream) {
  auto& entry = sniffing_[id];
  entry = std::make_unique<Sniffing>(std::move(stream));
  entry->stream.read_start([this, id](std::error_code ec, std::span<const std::byte> data) {
    auto it = sniffing_.find(id);
    if (it == sniffing_.end()) return;
    Sniffing& s = *it->second;
    if (ec) {
      // Gone before saying anything: free it on the next turn.
      std::shared_ptr<Sniffing> dying = std::move(it->second);
      sniffing_.erase(it);
      loop_.defer([dying] {});
      return;
    }
    s.seen.insert(s.seen.end(), data.begin(), data.end());
    const std::size_t compared = std::min(s.seen.size(), kHttp2Preface.size());
    const bool preface_so_far = std::memcmp(s.seen.data(), kHttp2Preface.data(), compared) == 0;
    if (preface_so_far && s.seen.size() < kHttp2Preface.size()) return;  // wait for more
    // The connection takes over the stream and the bytes seen; the read
    // callback it installs replaces this one, which touches nothing after.
    Stream taken = std::move(s.stream);
    const Bytes seen = std::move(s.seen);
    sniffing_.erase(it);
    serve_as(id, std::move(taken), preface_so_far, seen);
  });
}

void Server::serve_as(std::uint64_t id, Stream stream, bool http2,
                      std::span<const std::byte> read) {
  if (!http2) {
    auto connection = std::make_unique<Connection>(*this, id, std::move(stream));
    Connection& c = *connection;
    connections_.add(id, std::move(connection));
    c.feed_first(read);
    return;
  }
  ++stats_.http2_connections;
  connections_.add(id,
                   std::make_unique<H2Connection>(
                       context(), std::move(stream), [this, id] { close_connection(id); }, read));
}

void Server::replace_with_h2(std::uint64_t id, Stream stream, const H2cUpgrade& upgrade,
                             std::span<const std::byte> read) {
  if (!connections_.find(id)) return;
  ++stats_.http2_connections;
  // The HTTP/1.1 connection is still on the stack: the set frees it on a
  // later turn.
  connections_.replace(
      id, std::make_unique<H2Connection>(
              context(), std::move(stream), [this, id] { close_connection(id); }, read, &upgrade));
}

ServingContext Server::context() {
  return {loop_, routes_, options_, stats_, rng_};
}

void Server::close_connection(std::uint64_t id) {
  connections_.remove(id);
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
  // A client that never sends its first bytes, or stalls mid-handshake, is
  // dropped the same way.
  for (auto it = sniffing_.begin(); it != sniffing_.end();) {
    if (now - it->second->started <= options_.idle_timeout) {
      ++it;
      continue;
    }
    ++stats_.idle_closed;
    it = sniffing_.erase(it);
  }
  if (tls_) {
    const auto stalled = tls_->abandon_older_than(options_.idle_timeout);
    stats_.idle_closed += stalled;
    stats_.tls_failed += stalled;
  }
  const auto period = std::min<std::chrono::milliseconds>(options_.idle_timeout / 4,
                                                          std::chrono::milliseconds(1000));
  sweep_ =
      loop_.start_timer(std::max(period, std::chrono::milliseconds(10)), [this] { sweep_idle(); });
}

}  // namespace lb::http
