#pragma once
// Where the built-in server listens and the client connects from: on
// loopback, or, with --net, in two network namespaces joined by an
// emulated path (tools/net/emulated_path.hpp makes that one). A command
// holds its Placement and hands it to what starts servers and records rows.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace lb {

inline constexpr const char* kLoopbackHost = "127.0.0.1";

struct Placement {
  std::string server_host = kLoopbackHost;
  // Runs in the server's child process before it listens (null: nothing).
  std::function<void()> enter_server_side;
  // What each result row records of the path, in its params (null: nothing).
  std::function<nlohmann::json()> record;
};

}  // namespace lb
