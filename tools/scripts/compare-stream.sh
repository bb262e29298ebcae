#!/usr/bin/env bash
# Verified streaming reference figures in one script; server on CPU 0,
# client on CPU 1:
#  1. `openssl speed -evp sha256` (16 KiB blocks, one core) and plain
#     `bench ws` download/upload of the same total, per loop;
#  2. `bench stream client --test both` of a SIZE file per loop, warm, REPEAT
#     times, and once cold (--drop-cache), with the ratio of its MiB/s to the
#     smaller of SHA-256 and plain WebSocket throughput;
#  3. peak RSS of client and server for a SIZE and a SMALL file.
#   SIZE=4GiB SMALL=1GiB REPEAT=3 tools/scripts/compare-stream.sh [path/to/bench] [data dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${1:-./build/tools/bench}
dir=${2:-build}
size=${SIZE:-4GiB}
small=${SMALL:-1GiB}
repeat=${REPEAT:-3}
out=$(mktemp -d /tmp/compare-stream.XXXXXX)
pin=(--server-cpu=0 --client-cpu=1)

"$bench" stream generate --size="$size" --file="$dir/stream-big.bin"
"$bench" stream generate --size="$small" --file="$dir/stream-small.bin"
taskset -c 1 openssl speed -evp sha256 -bytes 16384 -seconds 3 2>/dev/null >"$out/openssl.txt"
for d in download upload; do
  "$bench" ws --loop=all --direction=$d --total="$size" --chunk=4MiB --send-queue=4 \
    --repeat="$repeat" --warmup=0 "${pin[@]}" --json="$out/ws-$d.json" >/dev/null
done
"$bench" stream client --test=both --loop=all --repeat="$repeat" --file="$dir/stream-big.bin" \
  "${pin[@]}" --json="$out/warm.json" >"$out/warm.txt"
"$bench" stream client --test=both --loop=all --repeat=1 --drop-cache \
  --file="$dir/stream-big.bin" "${pin[@]}" --json="$out/cold.json" >"$out/cold.txt"
"$bench" stream client --test=both --loop=epoll --repeat=1 --file="$dir/stream-small.bin" \
  "${pin[@]}" --json="$out/small.json" >/dev/null
"$bench" stream client --test=both --loop=epoll --repeat=1 --file="$dir/stream-big.bin" \
  "${pin[@]}" --json="$out/big.json" >/dev/null
cat "$out/warm.txt"

python3 - "$out" "$size" "$small" <<'PY'
import json, re, sys
out, size, small = sys.argv[1:4]
MiB = 2**20
m = re.search(r"sha256\s+([0-9.]+)k", open(f"{out}/openssl.txt").read())
sha = float(m.group(1)) * 1000 / MiB
ws = {}
for d in ("download", "upload"):
    for run in json.load(open(f"{out}/ws-{d}.json"))["runs"]:
        ws[(d, run["loop"])] = run["summary"]["bytes_per_s"]["median"] / MiB
def rows(name):
    return [(r["mode"], r["loop"], r["summary"]) for r in json.load(open(f"{out}/{name}.json"))["runs"]]
print(f"\nopenssl speed -evp sha256 (16 KiB, CPU 1): {sha:.0f} MiB/s")
print(f"{'run':<5} {'direction':<9} {'loop':<6} {'verified MiB/s':<20} {'ws MiB/s':>8} {'ratio to min(sha256, ws)':>25}  cache")
for name in ("warm", "cold"):
    for mode, loop, s in rows(name):
        b = s["bytes_per_s"]
        ref = min(sha, ws[(mode, loop)])
        print(f"{name:<5} {mode:<9} {loop:<6} {b['median']/MiB:>5.0f} [{b['min']/MiB:.0f}-{b['max']/MiB:.0f}]{'':<6} "
              f"{ws[(mode, loop)]:>8.0f} {b['median']/MiB/ref:>25.2f}  {','.join(s['cache'])}")
print("\npeak RSS KiB (client / server), epoll, both directions in one process:")
for name, label in (("small", small), ("big", size)):
    p = rows(name)[-1][2]["peak_rss_kib"]
    print(f"  {label:>6} file: {p['client']} / {p['server']}")
PY
echo "raw results: $out" >&2
