#pragma once
// Where the built-in server listens and the client connects from: on
// loopback, or, with --net, in two network namespaces joined by an
// emulated path (tools/net/ sets this up and fills it in). One per process.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace lb {

struct Placement {
  std::string server_host = "127.0.0.1";
  // Runs in the server's child process before it listens (null: nothing).
  std::function<void()> enter_server_side;
  // What each result row records of the path, in its params (null: nothing).
  std::function<nlohmann::json()> record;
};

Placement& placement();

}  // namespace lb
