#pragma once
// The HTTP keep-alive benchmark server on the engine (any backend).
// HTTP/1.1: requests parsed by RequestReader, answered from Routes in one
// write each, pipelined requests answered in order; a refused request is
// answered with its status, and the connection closed once that answer is
// out. HTTP/2 (h2_connection.hpp): over TCP when a connection opens with
// the HTTP/2 preface (h2c with prior knowledge), over TLS when ALPN agreed
// on "h2". TLS is the same stream wrapper as wss://, used when given a
// server context. One instance per loop; N threads run N instances on one
// port with SO_REUSEPORT.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "engine/connection_set.hpp"
#include "engine/loop.hpp"
#include "protocols/http/request_rules.hpp"
#include "protocols/http/routes.hpp"
#include "protocols/http/served_connection.hpp"
#include "protocols/tls/tls_acceptor.hpp"
#include "protocols/tls/tls_stream.hpp"

namespace lb::http {

struct H2cUpgrade;

struct ServerOptions {
  // A connection must complete a request within this long of accept or of
  // its previous request, or it is closed (slow or stalled clients).
  std::chrono::milliseconds idle_timeout{60'000};
  RequestLimits limits;
  // Testing aid: answer this fraction of requests with "Connection: close"
  // (HTTP/2: GOAWAY after that stream) and close, so clients must reconnect
  // mid-run.
  double close_probability = 0;
  // HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS.
  std::uint32_t max_streams = 128;
  // https: every connection handshakes first (a handshake that has not
  // ended within idle_timeout is abandoned). Not owned; outlives the server.
  SSL_CTX* tls = nullptr;
};

struct ServerStats {
  std::uint64_t connections = 0;
  std::uint64_t requests = 0;
  std::uint64_t bad_requests = 0;
  std::uint64_t idle_closed = 0;
  std::uint64_t tls_failed = 0;  // handshakes that failed or were abandoned
  std::uint64_t http2_connections = 0;
};

class Server {
 public:
  Server(Loop& loop, const Routes& routes, ServerOptions options = {});
  ~Server();
  // Throws std::system_error when the address cannot be bound.
  void listen(const Endpoint& at, bool reuse_port = false);
  std::uint16_t port() const { return listener_.local_port(); }
  const ServerStats& stats() const { return stats_; }

 private:
  class Connection;
  class Sniffing;
  void accepted(Stream stream);
  void serve(std::uint64_t id, Stream stream);
  // Cleartext: HTTP/2 if the first bytes are its preface, else HTTP/1.1.
  void sniff(std::uint64_t id, Stream stream);
  void serve_as(std::uint64_t id, Stream stream, bool http2, std::span<const std::byte> read);
  void replace_with_h2(std::uint64_t id, Stream stream, const H2cUpgrade& upgrade,
                       std::span<const std::byte> read);
  ServingContext context();
  void close_connection(std::uint64_t id);
  void sweep_idle();

  Loop& loop_;
  const Routes& routes_;
  ServerOptions options_;
  Listener listener_;
  ConnectionSet<ServedConnection> connections_;
  std::map<std::uint64_t, std::unique_ptr<Sniffing>> sniffing_;
  std::optional<tls::TlsAcceptor> tls_;  // https: handshakes abandoned with the server
  ServerStats stats_;
  Timer sweep_;
  std::mt19937 rng_{12345};
};

}  // namespace lb::http
