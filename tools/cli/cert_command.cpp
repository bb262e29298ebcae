// `bench cert`: a self-signed localhost certificate and key, for `bench
// serve ws --cert/--key` and for peers that need files.
#include <fmt/core.h>

#include "protocols/tls/certificate.hpp"
#include "tools/cli/commands.hpp"

namespace lb {

void register_cert_command(CLI::App& app, CommandRunner& run) {
  auto dir = std::make_shared<std::string>(".");
  auto* cmd = app.add_subcommand(
      "cert", "Write a self-signed localhost certificate and key (cert.pem, key.pem)");
  cmd->add_option("--out", *dir, "Directory to write into")->capture_default_str();
  cmd->callback([dir, &run] {
    run = [dir] {
      const std::string cert = *dir + "/cert.pem", key = *dir + "/key.pem";
      tls::write_pem(tls::make_self_signed(), cert, key);
      fmt::print("wrote {} and {} (CN=localhost, SAN localhost, 127.0.0.1, ::1)\n", cert, key);
      return 0;
    };
  });
}

}  // namespace lb
