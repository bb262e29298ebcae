#pragma once
// `bench echo`'s options as typed, and the plan they check into: what a
// run will measure (transports, connection counts, sizes, the target).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/endpoint.hpp"
#include "protocols/ws/session.hpp"
#include "tools/echo/client/run.hpp"
#include "tools/echo/protocol.hpp"
#include "tools/measure/pacing.hpp"
#include "tools/options/run_options.hpp"
#include "tools/ws/connect.hpp"

namespace lb {

struct EchoOptions {
  RunOptions run;
  std::string transport = "tcp";
  std::string connections = "100";
  std::string size = "1KiB";
  int pipeline = 1;
  Pacing pacing;
  double duration_s = 10;
  double warmup_s = 2;
  int connect_batch = 100;
  std::uint64_t churn = 0;
  double interval_s = 0;
  int client_threads = 1;
  int server_threads = 1;
  std::string url;
  std::string codec = "native";
  std::string server_codec = "native";
  bool insecure = false;
  std::string cacert;
  std::string servers = "builtin";
  std::string peers;
  std::string max_msg = "1MiB";
};

// The options checked: every list parsed, every combination allowed.
struct EchoPlan {
  std::vector<EchoTransport> transports;
  std::vector<std::uint64_t> connections;
  std::vector<std::uint64_t> sizes;
  std::optional<WsUrl> url_ws;
  std::optional<Endpoint> url_tcp;
  std::vector<std::string> servers;  // builtin and peer echo servers
  ws::Codec codec = ws::Codec::native;
  ws::Codec server_codec = ws::Codec::native;
  std::uint64_t max_message = echo::kMaxMessage;
};

// Throws UsageError naming the option for anything a run cannot do.
EchoPlan check_echo_options(const EchoOptions& o);

// --max-msg of bench echo and serve echo: 1 byte to 1 GiB.
std::uint64_t max_message_option(const std::string& text);

// The session options of an echo end: the codec, the message limit, and a
// send queue that holds `pipeline` messages.
ws::SessionOptions echo_session(ws::Codec codec, std::size_t pipeline, std::uint64_t max_message);

}  // namespace lb
