#pragma once
#include <stdexcept>

namespace lb {

// A user error found after parsing (a malformed size, an unknown loop): the
// message is printed as one line, and the exit code is 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lb
