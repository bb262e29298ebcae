#pragma once
// What the HTTP server and each connection it serves, HTTP/1.1 or HTTP/2,
// need of each other.
#include <functional>
#include <random>

#include "engine/loop.hpp"
#include "protocols/http/routes.hpp"

namespace lb::http {

struct ServerOptions;
struct ServerStats;

// The server's side, shared by every connection of one server.
struct ServingContext {
  Loop& loop;
  const Routes& routes;
  const ServerOptions& options;
  ServerStats& stats;
  std::mt19937& rng;  // for the close-probability testing aid
};

class ServedConnection {
 public:
  virtual ~ServedConnection() = default;
  // When the connection last began a request (or was accepted): the idle
  // sweep closes it once this is older than the idle timeout.
  virtual Clock::time_point last_request() const = 0;
};

// A connection calls this, from any of its callbacks, once it is done; the
// server frees it on a later turn.
using CloseConnection = std::function<void()>;

}  // namespace lb::http
