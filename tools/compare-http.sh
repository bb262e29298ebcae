#!/usr/bin/env bash
# HTTP reference figures in one script, servers on CPU 0, clients on CPU 1:
#  1. wrk -t1 -c100 against our server and against nginx (one worker), /1k;
#  2. bench http --mode=async --loop=all --size=1k against our server, next
#     to wrk's figure for the same server;
#  3. the sync client against Python requests and pycurl doing the same
#     1000 GETs of /1k on one reused session.
#   ROUNDS=3 tools/compare-http.sh [path/to/bench]
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:-./build/tools/bench}
rounds=${ROUNDS:-3}
duration=${WRK_SECONDS:-5}
out=$(mktemp -d /tmp/compare-http.XXXXXX)
for tool in wrk python3 taskset; do
  command -v $tool >/dev/null || { echo "$tool missing: bash tools/install-deps.sh" >&2; exit 2; }
done

"$bench" serve http --port 0 --cpu 0 >"$out/ours.log" 2>&1 &
ours_pid=$!
ngx_port=$((20000 + RANDOM % 20000))
tools/nginx-target.sh "$ngx_port" "$out/nginx" 0 >"$out/nginx.log" 2>&1 &
ngx_pid=$!
trap 'kill $ours_pid 2>/dev/null; kill -QUIT $ngx_pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q "listening on" "$out/ours.log" && break; sleep 0.05; done
ours_port=$(sed -nE 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$out/ours.log")
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$ngx_port/1k" && break; sleep 0.05; done
ours="http://127.0.0.1:$ours_port"
nginx="http://127.0.0.1:$ngx_port"

wrk_rps() { taskset -c 1 wrk -t1 -c100 -d"${duration}s" "$1/1k" | sed -nE 's/^Requests\/sec:\s+([0-9.]+)/\1/p'; }
: >"$out/wrk.txt"
for r in $(seq "$rounds"); do
  echo "ours $(wrk_rps "$ours")" >>"$out/wrk.txt"
  echo "nginx $(wrk_rps "$nginx")" >>"$out/wrk.txt"
  echo "wrk round $r of $rounds done" >&2
done

"$bench" http --url="$ours" --mode=async --loop=all --size=1k --client-cpu=1 --repeat=5 \
  --warmup=1 --json="$out/async.json" >"$out/async.txt"
"$bench" http --url="$ours" --mode=sync --size=1k --client-cpu=1 --repeat=5 --warmup=1 \
  --json="$out/sync.json" >"$out/sync.txt"

cat >"$out/peers.py" <<'PY'
import sys, time, resource, json
import requests, pycurl, io
url, n, repeats = sys.argv[1], 1000, 5
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime
def run(fn):
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        c0, t0 = cpu(), time.perf_counter(); fn(); out.append((time.perf_counter() - t0, cpu() - c0))
    return out
s = requests.Session()
def with_requests():
    for _ in range(n):
        r = s.get(url); assert r.status_code == 200 and len(r.content) == 1024
c = pycurl.Curl(); c.setopt(pycurl.URL, url)
def with_pycurl():
    for _ in range(n):
        b = io.BytesIO(); c.setopt(pycurl.WRITEDATA, b); c.perform()
        assert c.getinfo(pycurl.RESPONSE_CODE) == 200 and len(b.getvalue()) == 1024
print(json.dumps({"requests": run(with_requests), "pycurl": run(with_pycurl)}))
PY
taskset -c 1 /usr/bin/python3 "$out/peers.py" "$ours/1k" >"$out/peers.json"

python3 - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
def sp(v, f="{:.0f}"): return f"{f.format(statistics.median(v))} [{f.format(min(v))}-{f.format(max(v))}]"
wrk = {"ours": [], "nginx": []}
for line in open(f"{out}/wrk.txt"):
    k, v = line.split(); wrk[k].append(float(v))
print("1. wrk -t1 -c100, GET /1k, req/s median [min-max]:")
print(f"   our server (epoll, 1 thread)  {sp(wrk['ours'])}")
print(f"   nginx (1 worker)              {sp(wrk['nginx'])}")
print(f"   ratio ours/nginx              {statistics.median(wrk['ours'])/statistics.median(wrk['nginx']):.2f}")
print("2. bench http --mode=async --size=1k (100 in flight) against our server:")
wrk_med = statistics.median(wrk["ours"])
for run in json.load(open(f"{out}/async.json"))["runs"]:
    s = run["summary"]
    print(f"   {run['loop']:<6} req/s {sp([r['requests']/r['duration_s'] for r in run['repeats']])}"
          f"  = {s['req_per_s']['median']/wrk_med:.2f} x wrk   CPU us/req {s['cpu_us_per_req']['median']:.1f}")
print("3. 1000 sequential GETs of /1k on one reused session, seconds median [min-max]:")
sync = json.load(open(f"{out}/sync.json"))["runs"][0]
ours = [r["duration_s"] for r in sync["repeats"]]
peers = json.load(open(f"{out}/peers.json"))
print(f"   bench http sync (libcurl)  {sp(ours, '{:.4f}')}  CPU us/req {sync['summary']['cpu_us_per_req']['median']:.1f}")
for name in ("requests", "pycurl"):
    d = [x[0] for x in peers[name]]; c = [x[1] * 1e6 / 1000 for x in peers[name]]
    print(f"   python {name:<19} {sp(d, '{:.4f}')}  CPU us/req {statistics.median(c):.1f}"
          f"   ours is {statistics.median(d)/statistics.median(ours):.2f}x faster")
PY
echo "raw results: $out" >&2
