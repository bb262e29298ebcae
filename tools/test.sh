#!/usr/bin/env bash
# Builds and runs every test suite: the default build (all backends), an
# ASan+UBSan build, and a libuv-only build (what Windows and macOS get).
# Installs missing Debian packages first. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
jobs=$(nproc)

run_suite() {
  local dir=$1
  shift
  echo "=== $dir: cmake $*"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  (cd "$dir" && ctest --output-on-failure -j 1)
}

# bench matrix drives the same bench commands the other e2e cases run, at
# full size: the default build runs it, the other two skip it.
skip_matrix="-DLOOPBENCH_E2E_SKIP=bench matrix*,report.html*"
run_suite build-libuv-only -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOOPBENCH_EPOLL=OFF -DLOOPBENCH_URING=OFF -DLOOPBENCH_LIBUV=ON "$skip_matrix"
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DLOOPBENCH_SANITIZE=ON "$skip_matrix"
# Last, so that ctest's summary of the full build closes the run.
run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo
