// `bench cert`: a self-signed localhost certificate and key, for `bench
// serve ws --cert/--key` and for peers that need files.
#include <fmt/core.h>

#include <filesystem>
#include <system_error>

#include "protocols/tls/certificate.hpp"
#include "tools/cli/commands.hpp"
#include "tools/options/usage_error.hpp"

namespace lb {

void register_cert_command(CLI::App& app, CommandRunner& run) {
  auto dir = std::make_shared<std::string>(".");
  auto* cmd = app.add_subcommand(
      "cert", "Write a self-signed localhost certificate and key (cert.pem, key.pem)");
  cmd->add_option("--out", *dir, "Directory to write into (made if missing)")
      ->capture_default_str();
  cmd->callback([dir, &run] {
    run = [dir] {
      // A folder that does not exist yet is made, as `--out` of the matrix is.
      std::error_code ec;
      std::filesystem::create_directories(*dir, ec);
      if (ec) throw UsageError("--out: cannot make '" + *dir + "': " + ec.message());
      const std::string cert = *dir + "/cert.pem", key = *dir + "/key.pem";
      tls::write_pem(tls::make_self_signed(), cert, key);
      fmt::print("wrote {} and {} (CN=localhost, SAN localhost, 127.0.0.1, ::1)\n", cert, key);
      return 0;
    };
  });
}

}  // namespace lb
