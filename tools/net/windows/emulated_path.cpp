// Windows: --net has no counterpart there (network namespaces, veth pairs,
// tc and a delay line forked into its own namespace are Linux's), so a
// command given --net stops with a usage error before it starts anything.
// No EmulatedPath is ever made; its members exist for the commands that hold one.
#include "tools/net/emulated_path.hpp"

#include "tools/options/usage_error.hpp"

namespace lb::net {
namespace {

UsageError no_net_here() {
  return UsageError(
      "--net builds its path from Linux network namespaces, veth pairs and tc: "
      "not available on Windows");
}

}  // namespace

std::unique_ptr<EmulatedPath> emulated_path_for(const std::string& spec, bool, bool) {
  if (spec.empty()) return nullptr;
  parse_profile(spec);  // a bad profile is still said as such
  throw no_net_here();
}

EmulatedPath::EmulatedPath(const Profile& profile) : profile_(profile) {
  throw no_net_here();
}

EmulatedPath::~EmulatedPath() = default;

Placement EmulatedPath::placement() const {
  return {};
}

nlohmann::json EmulatedPath::json() const {
  return nullptr;
}

std::string EmulatedPath::stop() {
  return {};
}

}  // namespace lb::net
