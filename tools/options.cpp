// Option parsing shared by the subcommands (declared in command.hpp).
#include <fmt/core.h>

#include "tools/command.hpp"
#include "tools/cpu.hpp"
#include "tools/size.hpp"

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

}  // namespace lb
