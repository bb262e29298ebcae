#include "tools/process/placement.hpp"

namespace lb {

Placement& placement() {
  static Placement p;
  return p;
}

}  // namespace lb
