#include <fmt/core.h>

#include <memory>

#include "tools/echo/command.hpp"
#include "tools/echo/fd_limit.hpp"
#include "tools/echo/options.hpp"
#include "tools/echo/server/started_server.hpp"
#include "tools/echo/server/ws_route.hpp"
#include "tools/options/options.hpp"
#include "tools/options/tls_options.hpp"
#include "tools/options/usage_error.hpp"
#include "tools/serve/serve_options.hpp"
#include "tools/ws/codec_option.hpp"
#include "tools/ws/server.hpp"

namespace lb {

struct ServeEchoOptions {
  ServeOptions serve;
  std::string max_msg = "1MiB";
  std::string transport = "tcp";
  std::string codec = "native";
  std::string cert, key;
};

void register_serve_echo(CLI::App* serve, CommandRunner& run) {
  auto o = std::make_shared<ServeEchoOptions>();
  auto* cmd = serve->add_subcommand(
      "echo", "The 'bench echo' server: tcp echoes every byte; ws and wss serve /echo");
  add_serve_options(cmd, o->serve, 5300);
  cmd->add_option("--transport", o->transport,
                  "tcp, ws or wss (a fresh self-signed certificate "
                  "unless --cert and --key)")
      ->capture_default_str();
  cmd->add_option("--codec", o->codec, "WebSocket framing: native or wslay")->capture_default_str();
  cmd->add_option("--max-msg", o->max_msg, "Largest message accepted (1009 beyond), up to 1 GiB")
      ->capture_default_str();
  cmd->add_option("--cert", o->cert, "PEM certificate for wss://");
  cmd->add_option("--key", o->key, "PEM private key for wss://");
  cmd->callback([o, &run] {
    run = [o] {
      const auto transport =
          checked_list("--transport", o->transport, {"tcp", "ws", "wss"}, "transport");
      if (transport.size() != 1) throw UsageError("--transport: serve one of tcp, ws or wss");
      raise_fd_limit();
      if (transport.front() == "tcp")
        return serve_foreground(o->serve, "serve echo", "tcp, loop " + o->serve.loop,
                                start_tcp_echo);
      const auto options =
          echo_session(codec_option("--codec", o->codec), 4096, max_message_option(o->max_msg));
      const auto ctx = server_tls_option(transport.front() == "wss", o->cert, o->key);
      return serve_foreground(
          o->serve, "serve echo",
          fmt::format("{} /echo, loop {}, codec {}", transport.front(), o->serve.loop, o->codec),
          [&](Loop& loop, const ListenAt& at) {
            return start_ws_server(loop, at, ctx.get(), options, ws_echo_route());
          });
    };
  });
}

}  // namespace lb
