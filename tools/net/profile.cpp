#include "tools/net/profile.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string_view>

#include "tools/options/usage_error.hpp"

namespace lb::net {
namespace {

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  throw UsageError(
      "--net " + text + ": " + why +
      " (a profile: lan, wan, mobile; or rtt=20ms,rate=1gbit[,loss=0.1%][,jitter=2ms])");
}

// A non-negative finite number followed by one of `units` (name, factor).
double number_with_unit(const std::string& whole, std::string_view key, std::string_view value,
                        std::initializer_list<std::pair<std::string_view, double>> units) {
  double number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc{} || !std::isfinite(number) || number < 0)
    bad(whole, fmt::format("{} needs a number, got '{}'", key, value));
  const std::string_view unit(end, static_cast<std::size_t>(value.data() + value.size() - end));
  for (const auto& [name, factor] : units)
    if (unit == name) return number * factor;
  std::string known;
  for (const auto& u : units)
    known += (known.empty() ? "" : ", ") + std::string(u.first.empty() ? "none" : u.first);
  bad(whole, fmt::format("{} has unit '{}'; known: {}", key, unit, known));
}

}  // namespace

Profile parse_profile(const std::string& text) {
  if (text == "lan") return {"lan", 0.2, 0, 0, 10'000'000'000ULL};
  if (text == "wan") return {"wan", 20, 0, 0.0001, 1'000'000'000ULL};
  if (text == "mobile") return {"mobile", 60, 10, 0.005, 50'000'000ULL};
  if (text.find('=') == std::string::npos) bad(text, "unknown profile");
  Profile p;
  p.name = "custom";
  bool have_rtt = false, have_rate = false;
  std::string_view rest(text);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) bad(text, fmt::format("'{}' is not key=value", item));
    const auto key = item.substr(0, eq);
    const auto value = item.substr(eq + 1);
    if (key == "rtt") {
      p.rtt_ms = number_with_unit(text, key, value, {{"us", 1e-3}, {"ms", 1}, {"s", 1e3}});
      have_rtt = true;
    } else if (key == "jitter") {
      p.jitter_ms = number_with_unit(text, key, value, {{"us", 1e-3}, {"ms", 1}, {"s", 1e3}});
    } else if (key == "loss") {
      p.loss = number_with_unit(text, key, value, {{"%", 0.01}, {"", 1}});
      if (p.loss >= 1) bad(text, "loss must be below 100%");
    } else if (key == "rate") {
      const double bps = number_with_unit(
          text, key, value, {{"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}});
      if (bps < 100'000 || bps > 100e9) bad(text, "rate must be between 100kbit and 100gbit");
      p.rate_bps = static_cast<std::uint64_t>(bps);
      have_rate = true;
    } else {
      bad(text, fmt::format("unknown key '{}'", key));
    }
  }
  if (!have_rtt || !have_rate) bad(text, "rtt and rate are required");
  if (p.jitter_ms > p.rtt_ms) bad(text, "jitter must not exceed rtt");
  if (p.rtt_ms > 10'000) bad(text, "rtt must be at most 10 s");
  return p;
}

nlohmann::json Profile::json() const {
  return {{"profile", name},
          {"rtt_ms", rtt_ms},
          {"jitter_ms", jitter_ms},
          {"loss", loss},
          {"rate_bps", rate_bps}};
}

std::string Profile::describe() const {
  std::string out = fmt::format("{}: rtt {:g} ms", name, rtt_ms);
  if (jitter_ms > 0) out += fmt::format(" +-{:g} ms", jitter_ms);
  out += rate_bps >= 1'000'000'000 ? fmt::format(", {:g} Gbit/s", rate_bps / 1e9)
                                   : fmt::format(", {:g} Mbit/s", rate_bps / 1e6);
  if (loss > 0) out += fmt::format(", loss {:g} %", loss * 100);
  return out;
}

}  // namespace lb::net
