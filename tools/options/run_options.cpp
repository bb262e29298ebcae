#include "tools/options/run_options.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "backends/registry.hpp"
#include "tools/options/options.hpp"
#include "tools/options/size.hpp"
#include "tools/options/subcommand.hpp"
#include "tools/process/placement.hpp"
#include "tools/process/this_process.hpp"

namespace lb {

void RunOptions::check() const {
  if (repeat < 1 || warmup < 0) throw UsageError("--repeat must be >= 1 and --warmup >= 0");
  // Worded as seconds_option() words a negative one.
  if (timeout_s <= 0)
    throw UsageError(
        fmt::format("--timeout: expected more than 0 and at most {:.0f} seconds, got {:g}",
                    kMaxSeconds, timeout_s));
  check_output_file("--json", json);
  check_output_file("--csv", csv);
  if (margin_pct < 0 || margin_pct >= 100)
    throw UsageError("--margin: expected a percentage from 0 to below 100");
}

std::vector<LoopKind> RunOptions::client_loops() const {
  std::vector<std::string> notes;
  auto loops = resolve_loops(loop, notes);
  for (const auto& n : notes)
    std::fprintf(stderr, "bench: %s\n", n.c_str());
  return loops;
}

void RunOptions::check_server_loop() const {
  std::vector<std::string> notes;
  select_backends(server_loop, notes);
}

void RunOptions::pin_client() const {
  pin_or_throw(client_cpu, "client");
}

std::FILE* RunOptions::table_stream() const {
  if (quiet) {
    static std::FILE* const discard = std::fopen(null_device(), "w");
    if (discard) return discard;
  }
  return json == "-" || csv == "-" ? stderr : stdout;
}

std::chrono::milliseconds RunOptions::timeout() const {
  return std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
}

nlohmann::json RunOptions::params(const Placement& where) const {
  nlohmann::json out = {{"repeat", repeat},
                        {"warmup", warmup},
                        {"server_cpu", server_cpu},
                        {"client_cpu", client_cpu}};
  if (where.record) out["net"] = where.record();
  return out;
}

TransferPlan TransferOptions::check() const {
  TransferPlan c;
  c.directions =
      checked_list("--direction", direction, {"download", "upload", "concurrent"}, "direction");
  c.total = size_option("--total", total);
  if (c.total == 0) throw UsageError("--total must be more than 0 bytes");
  const auto bytes = size_option("--chunk", chunk);
  if (bytes == 0 || bytes > kMaxChunkBytes)
    throw UsageError("--chunk must be between 1 byte and 16 MiB");
  c.chunk = static_cast<std::uint32_t>(bytes);
  return c;
}

void add_transfer_options(CLI::App* cmd, TransferOptions& o, const char* chunk_help) {
  cmd->add_option("--direction", o.direction,
                  "download (server sends), upload (client sends), concurrent (both), a comma "
                  "list, or all")
      ->capture_default_str();
  cmd->add_option("--total", o.total, "Payload bytes per direction and repeat, e.g. 4GiB")
      ->capture_default_str();
  cmd->add_option("--chunk", o.chunk, chunk_help)->capture_default_str();
}

void add_run_options(CLI::App* cmd, RunOptions& o, const RunOptionHelp& help) {
  if (o.server_loop.empty()) o.server_loop = default_server_backend();
  cmd->add_option("--loop", o.loop, help.loop)->capture_default_str();
  cmd->add_option("--repeat", o.repeat,
                  "Counted repeats; with several loops, rounds: each loop once per round, in an "
                  "order shuffled for each round, compared round by round (6 or more give a 95 % "
                  "interval)")
      ->capture_default_str();
  if (help.warmup) cmd->add_option("--warmup", o.warmup, help.warmup)->capture_default_str();
  cmd->add_option("--server-cpu", o.server_cpu, "Pin the built-in server to this CPU")
      ->check(cpu_option());
  cmd->add_option("--client-cpu", o.client_cpu, "Pin the client to this CPU")->check(cpu_option());
  cmd->add_option("--server-loop", o.server_loop,
                  "Loop of the built-in server; the same for every client loop so only the "
                  "client's loop varies")
      ->capture_default_str();
  cmd->add_option("--json", o.json,
                  "Write results to FILE (schema loopbench.results/2); - for stdout (the table "
                  "then goes to stderr)");
  cmd->add_option("--timeout", o.timeout_s, help.timeout)
      ->transform(seconds_option())
      ->capture_default_str();
  cmd->add_option("--net", o.net,
                  "Client and built-in server in two network namespaces over an emulated path "
                  "(root): lan, wan, mobile, or rtt=20ms,rate=1gbit[,loss=0.1%][,jitter=2ms]");
  cmd->add_flag("-q,--quiet", o.quiet,
                "No table on stdout (errors still go to stderr): for a script that reads --json "
                "or --csv");
  o.seed = std::random_device{}();
  cmd->add_option("--seed", o.seed,
                  "Seed of each round's shuffled loop order (default: a random one, printed and "
                  "recorded)")
      ->check(unsigned_count());
  cmd->add_option("--reference", o.reference,
                  "With several loops: the loop the others are compared with (default epoll)");
  cmd->add_option("--margin", o.margin_pct,
                  "Percent within which a whole interval makes two loops the same")
      ->check(finite_number())
      ->capture_default_str();
}

void add_csv_option(CLI::App* cmd, RunOptions& o) {
  cmd->add_option("--csv", o.csv,
                  "Write one line per counted repeat to FILE (columns: docs/results-schema.md)");
}

}  // namespace lb
