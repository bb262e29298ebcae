#!/usr/bin/env bash
# Each scenario on each loop over an emulated path (bench --net), under the
# lan, wan and mobile profiles, as root; server on CPU 0, client on CPU 1,
# the delay line unpinned. Sizes follow each profile's rate so that a run
# takes a few seconds.
#   ROUNDS=3 PROFILES="lan wan mobile" tools/scripts/compare-net.sh [path/to/bench]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${1:-./build/tools/bench}
rounds=${ROUNDS:-3}
profiles=${PROFILES:-lan wan mobile}
out=$(mktemp -d /tmp/compare-net.XXXXXX)
pin="--server-cpu=0 --client-cpu=1"
for profile in $profiles; do
  case $profile in
    lan) total=256MiB requests=4000 ;;
    wan) total=128MiB requests=2000 ;;
    *) total=16MiB requests=200 ;;
  esac
  common="--net=$profile --loop=all --repeat=$rounds $pin"
  "$bench" tcp $common --direction=download,upload --total=$total --warmup=0 \
    --json="$out/$profile-tcp.json" >/dev/null 2>"$out/$profile-tcp.err"
  "$bench" http $common --mode=async --size=20k --requests=$requests --warmup=1 \
    --json="$out/$profile-http.json" >/dev/null 2>"$out/$profile-http.err"
  "$bench" ws $common --direction=download,upload --total=$total --warmup=0 \
    --json="$out/$profile-ws.json" >/dev/null 2>"$out/$profile-ws.err"
  "$bench" echo $common --transport=tcp --connections=100 --size=1KiB --duration=3 \
    --json="$out/$profile-echo.json" >/dev/null 2>"$out/$profile-echo.err"
  echo "$profile done" >&2
done

python3 - "$out" $profiles <<'PY'
import json, statistics, sys, glob, os
out, profiles = sys.argv[1], sys.argv[2:]
def sp(v, f): return f"{f.format(statistics.median(v))} [{f.format(min(v))}-{f.format(max(v))}]"
import re
def share(p, sc):
    m = re.search(r"delay line: ([0-9.]+) s CPU in ([0-9.]+) s", open(f"{out}/{p}-{sc}.err").read())
    return f"{100 * float(m.group(1)) / float(m.group(2)):.0f} %" if m else "-"
print("| profile | scenario | loop | result, median [min-max] | measured RTT p50 / rate down, up | delay line CPU (the command's run) |")
print("|---|---|---|---|---|---|")
for p in profiles:
    for sc in ["tcp", "http", "ws", "echo"]:
        f = f"{out}/{p}-{sc}.json"
        if not os.path.exists(f):
            print(f"| {p} | {sc} | - | failed: {open(f'{out}/{p}-{sc}.err').read().strip()[-200:]} | | |"); continue
        for run in json.load(open(f))["runs"]:
            m = run["params"]["net"]["measured"]
            reps = run["repeats"]
            if sc in ("tcp", "ws"):
                vals = [r["bytes"] * 8 / r["duration_s"] / 1e6 for r in reps]; unit = "Mbit/s " + run["mode"]
                res = sp(vals, "{:.0f}") + " " + unit
            elif sc == "http":
                vals = [r["requests"] / r["duration_s"] for r in reps]
                res = sp(vals, "{:.0f}") + f" req/s, p99 {run['summary']['latency_us']['p99']/1000:.1f} ms"
            else:
                vals = [r["requests"] / r["duration_s"] for r in reps]
                res = sp(vals, "{:.0f}") + f" msgs/s, p99 {run['summary']['latency_us']['p99']/1000:.1f} ms"
            errors = run["summary"].get("errors", 0)
            if errors: res += f", {errors} errors"
            print(f"| {p} | {sc} | {run['loop']} | {res} | {m['connect_p50_ms']:.2f} ms / "
                  f"{m['rate_down_bps']/1e6:.0f}, {m['rate_up_bps']/1e6:.0f} Mbit/s | {share(p, sc)} |")
PY
echo "raw results: $out" >&2
