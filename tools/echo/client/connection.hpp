#pragma once
// One client connection of bench echo, over any transport: it opens
// (TCP connect; for ws:// and wss:// also TLS and the Upgrade), sends the
// run's messages in order and checks every echoed byte against what it
// sent, so a wrong byte, a short echo or a reordering fails the run.
#include <functional>
#include <memory>
#include <string>

#include "engine/loop.hpp"
#include "protocols/tls/openssl_handles.hpp"
#include "protocols/ws/session.hpp"
#include "tools/echo/client/payload.hpp"

namespace lb {

enum class EchoTransport { tcp, ws, wss };
// "tcp", "ws", "wss"; parse_echo_transport throws std::invalid_argument.
const char* transport_name(EchoTransport t);
EchoTransport parse_echo_transport(const std::string& name);

struct EchoTarget {
  EchoTransport transport = EchoTransport::tcp;
  Endpoint server;
  std::string host;  // ws: Host header, SNI and certificate name
  std::string path = "/echo";
  SSL_CTX* tls = nullptr;  // wss
  ws::SessionOptions session;
};

class EchoConnection {
 public:
  struct Handlers {
    std::function<void()> on_open;
    std::function<void()> on_echo;  // a whole message came back, byte for byte
    // The connection failed or the echo was wrong; says which. Nothing
    // else follows.
    std::function<void(std::string error)> on_failed;
    std::function<void()> on_closed;  // after close(): the server ended too
  };
  virtual ~EchoConnection() = default;
  virtual void start() = 0;
  // Queues the message with the next sequence number.
  virtual void send() = 0;
  // Ends politely (FIN, or the closing handshake) once queued sends left.
  virtual void close() = 0;
};

// No handler runs after the connection is destroyed.
std::unique_ptr<EchoConnection> make_echo_connection(Loop& loop, const EchoTarget& target,
                                                     const EchoPayload& payload,
                                                     EchoConnection::Handlers handlers);

}  // namespace lb
