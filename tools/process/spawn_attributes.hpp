#pragma once
// POSIX: how bench starts another program (child_process.cpp,
// background_process.cpp). The program gets an empty signal mask and the
// default actions of SIGINT and SIGTERM, whatever bench's threads block
// (StopOnSignal blocks both to take them on a thread of its own): a peer
// server must die on the SIGTERM that stops it. It stays in bench's
// process group, so a Ctrl-C in the terminal ends it with bench.
#include <signal.h>
#include <spawn.h>

#include <stdexcept>

namespace lb {

class SpawnAttributes {
 public:
  SpawnAttributes() {
    if (posix_spawnattr_init(&attr_) != 0) throw std::runtime_error("posix_spawnattr_init failed");
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    const short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (posix_spawnattr_setsigmask(&attr_, &none) != 0 ||
        posix_spawnattr_setsigdefault(&attr_, &defaults) != 0 ||
        posix_spawnattr_setflags(&attr_, flags) != 0) {
      posix_spawnattr_destroy(&attr_);
      throw std::runtime_error("posix_spawnattr_set* failed");
    }
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;

  const posix_spawnattr_t* get() const { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

}  // namespace lb
