#!/usr/bin/env bash
# bench tcp against iperf3 on loopback, in one script, with the same pinning
# (server on CPU 0, client on CPU 1) and the same write/read size. Rounds are
# interleaved (iperf3, then every loop once) so drift on a shared machine
# hits both alike; the first round is a warm-up and is discarded.
#
#   ROUNDS=3 TOTAL=4GiB DIRECTION=download tools/scripts/compare-iperf3.sh [path/to/bench]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${1:-./build/tools/bench}
rounds=${ROUNDS:-3}
total=${TOTAL:-4GiB}
chunk=${CHUNK:-128KiB}
direction=${DIRECTION:-download}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
port=${IPERF_PORT:-5299}
out=$(mktemp -d /tmp/compare-iperf3.XXXXXX)

command -v iperf3 >/dev/null || { echo "iperf3 missing: bash tools/install-deps.sh" >&2; exit 2; }
[ -x "$bench" ] || { echo "no bench binary at $bench: build first" >&2; exit 2; }

# iperf3 sizes: "4GiB" -> "4G", "128KiB" -> "128K" (iperf3 K/M/G are binary).
iperf_size() { echo "$1" | sed -E 's/i?B$//'; }
case "$direction" in
  download) iperf_dir=(-R) ;;
  upload) iperf_dir=() ;;
  concurrent) iperf_dir=(--bidir) ;;
  *) echo "DIRECTION must be download, upload or concurrent" >&2; exit 2 ;;
esac

for round in $(seq 0 "$rounds"); do
  iperf3 -s -1 -A "$server_cpu" -p "$port" >/dev/null 2>&1 &
  server=$!
  sleep 0.3
  iperf3 -c 127.0.0.1 -p "$port" -A "$client_cpu" "${iperf_dir[@]}" -n "$(iperf_size "$total")" \
    -l "$(iperf_size "$chunk")" -J >"$out/iperf3-$round.json"
  wait "$server" || true
  "$bench" tcp --loop=all --direction="$direction" --total="$total" --chunk="$chunk" \
    --repeat=1 --warmup=0 --server-cpu="$server_cpu" --client-cpu="$client_cpu" \
    --json="$out/bench-$round.json" >"$out/bench-$round.txt"
  echo "round $round of $rounds done$([ "$round" = 0 ] && echo ' (warm-up, discarded)')" >&2
done

python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def spread(v): return f"{statistics.median(v):6.2f} [{min(v):.2f}-{max(v):.2f}]"
iperf = []
iperf_cpu = []
loops = {}
for r in range(1, rounds + 1):
    j = json.load(open(f"{out}/iperf3-{r}.json"))
    end = j["end"]
    bps = end["sum_received"]["bits_per_second"]
    if "sum_received_bidir_reverse" in end:
        bps += end["sum_received_bidir_reverse"]["bits_per_second"]
    iperf.append(bps / 1e9)
    # host_total: the client's (user+sys)/wall in percent of one CPU.
    seconds = end["sum_received"]["seconds"]
    gib = end["sum_received"]["bytes"] / 2**30
    if "sum_received_bidir_reverse" in end:
        gib += end["sum_received_bidir_reverse"]["bytes"] / 2**30
    iperf_cpu.append(end["cpu_utilization_percent"]["host_total"] / 100 * seconds / gib)
    for run in json.load(open(f"{out}/bench-{r}.json"))["runs"]:
        rep = run["repeats"][0]
        gbps = rep["bytes"] * 8 / rep["duration_s"] / 1e9
        cpu = (rep["cpu_user_s"] + rep["cpu_sys_s"]) / (rep["bytes"] / 2**30)
        loops.setdefault(run["loop"], []).append((gbps, cpu, gbps / iperf[-1]))
print(f"{rounds} rounds after 1 warm-up; medians [min-max]; Gbit/s = 10^9 bit/s of payload")
print(f"{'client':<8} {'Gbit/s':<24} {'ratio to iperf3':<24} {'client CPU s/GiB':<22}")
print(f"{'iperf3':<8} {spread(iperf):<24} {'1':<24} {spread(iperf_cpu):<22}")
for name, rows in loops.items():
    g = [x[0] for x in rows]; c = [x[1] for x in rows]; q = [x[2] for x in rows]
    print(f"{name:<8} {spread(g):<24} {spread(q):<24} {spread(c):<22}")
PY
echo "raw results: $out" >&2
