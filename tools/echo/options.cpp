#include "tools/echo/options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "tools/echo/fd_limit.hpp"
#include "tools/echo/protocol.hpp"
#include "tools/echo/server/peer_servers.hpp"
#include "tools/options/options.hpp"
#include "tools/options/usage_error.hpp"
#include "tools/peers/runner.hpp"
#include "tools/ws/codec_option.hpp"

namespace lb {

std::uint64_t max_message_option(const std::string& text) {
  const auto n = size_option("--max-msg", text);
  if (n < 1 || n > (std::uint64_t{1} << 30))
    throw UsageError("--max-msg: a message limit is 1 byte to 1 GiB, got '" + text + "'");
  return n;
}

EchoPlan check_echo_options(const EchoOptions& o) {
  o.run.check();
  EchoPlan c;
  if (!o.url.empty()) {
    if (o.url.rfind("tcp://", 0) == 0) {
      c.url_tcp = Endpoint::parse(o.url.substr(6));
      if (!c.url_tcp) throw UsageError("--url: expected tcp://HOST:PORT, got '" + o.url + "'");
      c.transports = {EchoTransport::tcp};
    } else {
      c.url_ws = url_option(o.url, "/echo");
      c.transports = {c.url_ws->tls ? EchoTransport::wss : EchoTransport::ws};
    }
  } else {
    for (const auto& t :
         checked_list("--transport", o.transport, {"tcp", "ws", "wss"}, "transport"))
      c.transports.push_back(parse_echo_transport(t));
  }
  for (const auto& text : split_list(o.connections)) {
    std::uint64_t n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || ptr != text.data() + text.size() || n < 1 || n > 1'000'000)
      throw UsageError("--connections: expected counts from 1 to 1000000, got '" + text + "'");
    c.connections.push_back(n);
  }
  c.max_message = max_message_option(o.max_msg);
  for (const auto& text : split_list(o.size)) {
    const auto n = size_option("--size", text);
    if (n < 1 || n > c.max_message)
      throw UsageError("--size: a message is 1 byte to --max-msg (" + o.max_msg + "), got '" +
                       text + "'");
    c.sizes.push_back(n);
  }
  if (o.pipeline < 1 || o.pipeline > 4096) throw UsageError("--pipeline must be 1 to 4096");
  o.pacing.check();
  if (o.duration_s <= 0 || o.warmup_s < 0)
    throw UsageError("--duration must be positive and --warmup at least 0");
  if (o.connect_batch < 1) throw UsageError("--connect-batch must be at least 1");
  if (o.churn && o.churn < static_cast<std::uint64_t>(o.pipeline))
    throw UsageError("--churn: a connection sends at least --pipeline messages (" +
                     std::to_string(o.pipeline) + ") before it is replaced");
  if (o.churn && !o.peers.empty())
    throw UsageError(
        "--churn and --peers do not go together: the peers' clients keep their "
        "connections");
  if (o.interval_s < 0 || !std::isfinite(o.interval_s))
    throw UsageError("--interval must be 0 (off) or more seconds");
  if (o.client_threads < 1 || o.client_threads > 256)
    throw UsageError("--client-threads must be 1 to 256");
  if (o.server_threads < 1 || o.server_threads > 256)
    throw UsageError("--server-threads must be 1 to 256");
  c.servers = checked_list("--servers", o.servers, echo_server_names(), "server");
  if ((c.url_ws || c.url_tcp) && o.servers != "builtin")
    throw UsageError("--servers and --url do not go together");
  for (const auto& name : split_list(o.peers)) {
    if (name.empty() || name == "all") continue;
    bool known = false;
    for (const auto& p : peer_catalog())
      known = known || ((p.bench == "echo-tcp" || p.bench == "echo-ws") && p.name == name);
    if (!known)
      throw UsageError("--peers: no echo client '" + name + "' (asyncio, aiohttp, node or all)");
  }
  c.codec = codec_option("--codec", o.codec);
  c.server_codec = codec_option("--server-codec", o.server_codec);
  if (static_cast<std::uint64_t>(o.client_threads) >
      *std::min_element(c.connections.begin(), c.connections.end()))
    throw UsageError("--client-threads: each client loop needs a connection; " +
                     std::to_string(o.client_threads) + " loops for " +
                     std::to_string(*std::min_element(c.connections.begin(), c.connections.end())) +
                     " connections");
  if ((c.url_ws || c.url_tcp) && o.server_threads != 1)
    throw UsageError("--server-threads is for the built-in server, not --url");
  check_fd_room(*std::max_element(c.connections.begin(), c.connections.end()), "bench echo");
  return c;
}

ws::SessionOptions echo_session(ws::Codec codec, std::size_t pipeline, std::uint64_t max_message) {
  ws::SessionOptions s;
  s.codec = codec;
  s.max_message = max_message;
  s.send_queue = std::max<std::size_t>(128, pipeline + 1);
  return s;
}

}  // namespace lb
