#pragma once
// Descriptors for many connections: the soft RLIMIT_NOFILE raised as far as
// the hard limit allows, and a clear error before a run that would still
// not fit (instead of EMFILE halfway through opening).
#include <cstdint>

namespace lb {

// The soft limit after raising it to the hard one where allowed; no limit
// (UINT64_MAX) on Windows, whose sockets are handles, not descriptors.
std::uint64_t raise_fd_limit();
// UsageError when `connections` (plus a margin for everything else the
// process holds) exceed the limit; `who` says whose descriptors they are.
void check_fd_room(std::uint64_t connections, const char* who);

}  // namespace lb
