#!/usr/bin/env bash
# WebSocket reference figures in one script; servers on CPU 0, clients on
# CPU 1; TOTAL per transfer; ROUNDS interleaved rounds, medians [min-max]:
#  1. bench ws --loop=all download and upload over ws://, next to iperf3;
#  2. bench ws --tls download, next to `openssl speed -evp aes-128-gcm`
#     (16 KiB blocks, one core, in the same round);
#  3. the original suite's Python pair (aiohttp + uvloop server, aiohttp
#     client) against our client, our server, and our pair (download);
#  4. the aiohttp client's upload to its own server and to ours (ours must
#     not be what bounds a peer's upload).
#   ROUNDS=3 TOTAL=4GiB tools/scripts/compare-ws.sh [path/to/bench]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${1:-./build/tools/bench}
rounds=${ROUNDS:-3}
total=${TOTAL:-4GiB}
out=$(mktemp -d /tmp/compare-ws.XXXXXX)
bytes=$(python3 -c "import sys; u={'G':30,'M':20,'K':10}; t=sys.argv[1].rstrip('iB'); print(int(t[:-1]) << u[t[-1]])" "$total")
peer=tests/peers/aiohttp_peer.py
port=${IPERF_PORT:-5298}

(taskset -c 0 /usr/bin/python3 $peer server 0 >"$out/aiohttp.log" 2>&1 &)
"$bench" serve ws --port 0 --cpu 0 >"$out/ours.log" 2>&1 &
ours_pid=$!
trap 'pkill -f "$peer server" 2>/dev/null; kill $ours_pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q listening "$out/aiohttp.log" && grep -q listening "$out/ours.log" && break; sleep 0.05; done
py_url="ws://127.0.0.1:$(sed -nE 's/.*:([0-9]+)$/\1/p' "$out/aiohttp.log")/ws"
ours_url="ws://127.0.0.1:$(sed -nE 's/.*127\.0\.0\.1:([0-9]+) .*/\1/p' "$out/ours.log")/ws"

for r in $(seq "$rounds"); do
  iperf3 -s -1 -A 0 -p "$port" >/dev/null 2>&1 &
  iperf_pid=$!
  sleep 0.3
  iperf3 -c 127.0.0.1 -p "$port" -A 1 -R -n "${total%iB}" -l 64K -J >"$out/iperf3-$r.json"
  wait "$iperf_pid" || true
  for d in download upload; do
    "$bench" ws --loop=all --direction=$d --total="$total" --repeat=1 --warmup=0 \
      --server-cpu=0 --client-cpu=1 --json="$out/ws-$d-$r.json" >/dev/null
  done
  "$bench" ws --tls --loop=all --direction=download --total="$total" --repeat=1 --warmup=0 \
    --server-cpu=0 --client-cpu=1 --json="$out/wss-$r.json" >/dev/null
  # Each round's own reference: this machine's speed drifts between rounds.
  taskset -c 1 openssl speed -evp aes-128-gcm -bytes 16384 -seconds 2 2>/dev/null >"$out/openssl-$r.txt"
  taskset -c 1 /usr/bin/python3 $peer client "$py_url" download "$bytes" 65536 >"$out/py-py-$r.txt"
  taskset -c 1 /usr/bin/python3 $peer client "$ours_url" download "$bytes" 65536 >"$out/py-ours-$r.txt"
  taskset -c 1 /usr/bin/python3 $peer client "$py_url" upload "$bytes" 65536 >"$out/up-py-py-$r.txt"
  taskset -c 1 /usr/bin/python3 $peer client "$ours_url" upload "$bytes" 65536 >"$out/up-py-ours-$r.txt"
  "$bench" ws --url="$py_url" --loop=epoll --total="$total" --repeat=1 --warmup=0 --client-cpu=1 \
    --json="$out/ours-py-$r.json" >/dev/null
  echo "round $r of $rounds done" >&2
done

python3 - "$out" "$rounds" "$bytes" <<'PY'
import json, re, statistics, sys
out, rounds, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def sp(v, f="{:.2f}"): return f"{f.format(statistics.median(v))} [{f.format(min(v))}-{f.format(max(v))}]"
def gib(bps): return bps * 8 / 2**30
iperf = [json.load(open(f"{out}/iperf3-{r}.json"))["end"]["sum_received"]["bits_per_second"] / 2**30
         for r in range(1, rounds + 1)]
print(f"1. ws:// Gibit/s (2^30 bit/s of payload), {rounds} rounds, medians [min-max]")
print(f"   iperf3 (TCP, 64 KiB writes)   {sp(iperf)}")
for d in ("download", "upload"):
    rows = {}
    for r in range(1, rounds + 1):
        for run in json.load(open(f"{out}/ws-{d}-{r}.json"))["runs"]:
            rep = run["repeats"][0]
            rows.setdefault(run["loop"], []).append(gib(rep["bytes"] / rep["duration_s"]))
    for loop, v in rows.items():
        ratio = [x / i for x, i in zip(v, iperf)]
        print(f"   ws {d:<8} {loop:<6}        {sp(v)}   = {sp(ratio)} x iperf3")
# With -bytes 16384 the line has one figure: 1000s of bytes per second.
def ssl_rate(r):
    m = re.search(r"AES-128-GCM\s+([0-9.]+)k", open(f"{out}/openssl-{r}.txt").read())
    return float(m.group(1)) * 1000 if m else float("nan")
ssl = [ssl_rate(r) for r in range(1, rounds + 1)]
print(f"2. wss:// download GB/s (10^9 B/s) vs openssl speed aes-128-gcm 16 KiB, one core, run in each round: {sp([x / 1e9 for x in ssl])} GB/s")
rows = {}
for r in range(1, rounds + 1):
    for run in json.load(open(f"{out}/wss-{r}.json"))["runs"]:
        rep = run["repeats"][0]
        rows.setdefault(run["loop"], []).append(rep["bytes"] / rep["duration_s"] / 1e9)
for loop, v in rows.items():
    ratio = [x * 1e9 / o for x, o in zip(v, ssl)]
    print(f"   wss download {loop:<6} {sp(v)} GB/s = {sp(ratio)} x openssl of its round")
def secs(name): return [float(open(f"{out}/{name}-{r}.txt").read().split()[1]) for r in range(1, rounds + 1)]
py_py, py_ours = secs("py-py"), secs("py-ours")
ours_py = [json.load(open(f"{out}/ours-py-{r}.json"))["runs"][0]["repeats"][0]["duration_s"] for r in range(1, rounds + 1)]
ours_ours = []
for r in range(1, rounds + 1):
    for run in json.load(open(f"{out}/ws-download-{r}.json"))["runs"]:
        if run["loop"] == "epoll": ours_ours.append(run["repeats"][0]["duration_s"])
print(f"3. download of {total/2**20:.0f} MiB, seconds (client -> server):")
print(f"   aiohttp client -> aiohttp+uvloop server  {sp(py_py, '{:.3f}')}")
print(f"   our client     -> aiohttp+uvloop server  {sp(ours_py, '{:.3f}')}   {statistics.median(py_py)/statistics.median(ours_py):.2f}x faster")
print(f"   aiohttp client -> our server             {sp(py_ours, '{:.3f}')}   {statistics.median(py_py)/statistics.median(py_ours):.2f}x faster")
print(f"   our client     -> our server (epoll)     {sp(ours_ours, '{:.3f}')}   {statistics.median(py_py)/statistics.median(ours_ours):.2f}x faster")
py_rate = total * 8 / 2**30 / statistics.median(py_py)
print(f"   the Python pair moves {py_rate:.2f} Gibit/s = {py_rate / statistics.median(iperf):.2f} x iperf3 on this loopback")
up_py, up_ours = secs("up-py-py"), secs("up-py-ours")
print(f"4. upload of {total/2**20:.0f} MiB by the aiohttp client, seconds:")
print(f"   -> aiohttp+uvloop server  {sp(up_py, '{:.3f}')}")
print(f"   -> our server (epoll)     {sp(up_ours, '{:.3f}')}   {statistics.median(up_py)/statistics.median(up_ours):.2f}x the rate to its own server")
PY
echo "raw results: $out" >&2
