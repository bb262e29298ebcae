#include "tools/options/options.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "tools/options/size.hpp"
#include "tools/options/usage_error.hpp"
#include "tools/process/cpu.hpp"

namespace lb {

std::uint64_t size_option(const std::string& option, const std::string& text) {
  const auto value = parse_size(text);
  if (!value) throw UsageError(size_error(option, text));
  return *value;
}

void pin_or_throw(int cpu, const char* who) {
  if (cpu < 0) return;
  if (auto ec = pin_to_cpu(cpu))
    throw UsageError(fmt::format("cannot pin the {} to CPU {}: {} (this machine has {} CPUs)", who,
                                 cpu, ec.message(), online_cpus()));
}

namespace {

// A CLI11 check on the number in an option's text; a text that is no
// number at all is left to CLI11's own message.
CLI::Validator number_check(std::string (*refuse)(double value, const std::string& text),
                            const char* name) {
  return CLI::Validator(
      [refuse](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        return end == text.c_str() ? std::string{} : refuse(value, text);
      },
      name);
}

}  // namespace

CLI::Validator finite_number() {
  return number_check(
      [](double value, const std::string& text) {
        return std::isfinite(value) ? std::string{}
                                    : "expected a finite number, got '" + text + "'";
      },
      "FINITE");
}

CLI::Validator seconds_option() {
  // A duration with a unit, as wrk, oha and hyperfine read them ("500ms",
  // "10s", "2m", "1h"), becomes plain seconds before CLI11 converts it; a
  // bare number is seconds.
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str())
          return "expected seconds, or a number with ms, s, m or h, got '" + text + "'";
        const std::string unit = end;
        static const std::pair<const char*, double> kUnits[] = {
            {"", 1}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"m", 60}, {"h", 3600}};
        const auto* u = std::find_if(std::begin(kUnits), std::end(kUnits),
                                     [&](const auto& k) { return unit == k.first; });
        if (u == std::end(kUnits))
          return "expected seconds, or a number with ms, s, m or h, got '" + text + "'";
        const double seconds = value * u->second;
        if (!(seconds >= 0 && seconds <= kMaxSeconds))
          return fmt::format("expected 0 to {:.0f} seconds, got '{}'", kMaxSeconds, text);
        if (!unit.empty()) text = fmt::format("{:.17g}", seconds);
        return {};
      },
      "SECONDS");
}

std::string counted(std::uint64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string cpu_text(int cpu) {
  return cpu < 0 ? "unpinned" : "CPU " + std::to_string(cpu);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> checked_list(const std::string& option, const std::string& text,
                                      const std::vector<std::string>& allowed,
                                      const std::string& what) {
  std::vector<std::string> out;
  for (const auto& item : split_list(text)) {
    if (item == "all") return allowed;
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      throw UsageError(option + ": unknown " + what + " '" + item + "' (" + list + " or all)");
    }
    out.push_back(item);
  }
  return out;
}

CLI::Validator cpu_option() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const long cpu = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || cpu < -1 || cpu > 1 << 20)
          return "expected a CPU number, or -1 for unpinned, got '" + text + "'";
        return {};
      },
      "CPU");
}

CLI::Validator unsigned_count() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return {};
        return "expected a whole number of 0 or more, got '" + text + "'";
      },
      "UINT");
}

std::uint16_t port_option(int port) {
  if (port < 0 || port > 65535) throw UsageError("--port must be 0..65535");
  return static_cast<std::uint16_t>(port);
}

void check_output_file(const std::string& option, const std::string& path) {
  if (path.empty() || path == "-") return;  // none, or stdout
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (std::filesystem::is_directory(path, ec))
    throw UsageError(option + ": '" + path + "' is a directory; give a file name");
  // Opening for append writes nothing and creates the file as the run
  // will, so every reason it could fail (no directory, no permission, a
  // read-only file system) shows now, in the system's words.
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (!f) throw UsageError(option + ": cannot write '" + path + "': " + std::strerror(errno));
  std::fclose(f);
  if (!existed) std::filesystem::remove(path, ec);
}

}  // namespace lb
