#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for a
# bounded time from the committed seed corpus: tools/fuzz.sh [SECONDS]
# (default 60 per target). A crash stops the run with exit 1 and names the
# input; commit it under tests/fuzz/regressions/TARGET/ with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=build-fuzz
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOOPBENCH_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$dir" -j "$(nproc)"
work=$(mktemp -d /tmp/loopbench-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
# One libFuzzer process per target, as many at a time as there are cores
# (each is single-threaded): the same time per target in less wall time.
fuzz_one() {
  local target=$1
  mkdir -p "$work/$target" "$work/$target-crash"
  # New inputs go to a scratch corpus; the committed seeds are only read.
  "$dir/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/$target-crash/" \
    "$work/$target" "tests/fuzz/corpus/$target" >"$work/$target.log" 2>&1
}
targets=(http_request ws_handshake ws_frames tls_stream)
cores=$(nproc)
declare -A pid_of
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$cores" ]; do wait -n || true; done
  echo "=== fuzz $target: ${seconds} s"
  fuzz_one "$target" &
  pid_of[$target]=$!
done
failed=0
for target in "${targets[@]}"; do
  if ! wait "${pid_of[$target]}"; then
    tail -n 60 "$work/$target.log"
    crash=$(ls "$work/$target-crash/" | head -n 1)
    mkdir -p "tests/fuzz/regressions/$target"
    cp "$work/$target-crash/$crash" "tests/fuzz/regressions/$target/"
    echo "fuzz $target: failed; the input is now tests/fuzz/regressions/$target/$crash" >&2
    failed=1
    continue
  fi
  echo "=== fuzz $target:"
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|cov: " \
    "$work/$target.log" | tail -n 4
done
exit $failed
