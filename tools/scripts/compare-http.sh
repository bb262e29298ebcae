#!/usr/bin/env bash
# HTTP reference figures in one script, servers on CPU 0, clients on CPU 1:
#  1. wrk -t1 -c100 against our server and against nginx (one worker), /1k;
#  2. bench http --mode=async --loop=all --size=1k against our server, next
#     to wrk's figure for the same server and to the plain-C reference
#     (tools/reference/curl_multi_epoll.c: libcurl multi on a bare epoll
#     loop, the same GETs with 100 in flight), REF_ROUNDS rounds of
#     REF_REQUESTS GETs, the reference's interleaved with bench's;
#  3. the sync client against Python requests and pycurl doing the same
#     1000 GETs of /1k on one reused session (bench http --peers).
#   ROUNDS=3 REF_ROUNDS=10 REF_REQUESTS=20000 tools/scripts/compare-http.sh [path/to/bench]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${1:-./build/tools/bench}
reference=$(dirname "$bench")/curl_multi_reference
rounds=${ROUNDS:-3}
duration=${WRK_SECONDS:-5}
ref_rounds=${REF_ROUNDS:-10}
ref_requests=${REF_REQUESTS:-20000}
out=$(mktemp -d /tmp/compare-http.XXXXXX)
for tool in wrk python3 taskset; do
  command -v $tool >/dev/null || { echo "$tool missing: bash tools/install-deps.sh" >&2; exit 2; }
done

"$bench" serve http --port 0 --cpu 0 >"$out/ours.log" 2>&1 &
ours_pid=$!
ngx_port=$((20000 + RANDOM % 20000))
tools/scripts/nginx-target.sh "$ngx_port" "$out/nginx" 0 >"$out/nginx.log" 2>&1 &
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

: >"$out/reference.txt"
for r in $(seq "$ref_rounds"); do
  "$bench" http --url="$ours" --mode=async --loop=all --size=1k --requests="$ref_requests" \
    --client-cpu=1 --repeat=1 --warmup=1 --json="$out/async-$r.json" >"$out/async-$r.txt"
  taskset -c 1 "$reference" "$ours/1k" "$ref_requests" 100 1024 >>"$out/reference.txt"
done
"$bench" http --url="$ours" --mode=sync --size=1k --client-cpu=1 --repeat=5 --warmup=1 \
  --peers=requests,pycurl --json="$out/sync.json" >"$out/sync.txt"

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
print(f"2. bench http --mode=async --size=1k (100 in flight) against our server, {len(open(out + '/reference.txt').readlines())} rounds;")
print("   x C ref: the median [min-max] of each round's ratio to the reference's req/s in that round:")
wrk_med = statistics.median(wrk["ours"])
ref = [dict(zip(l.split()[::2], map(float, l.split()[1::2]))) for l in open(f"{out}/reference.txt")]
ref_rps = [r["req_per_s"] for r in ref]
print(f"   C ref  req/s {sp(ref_rps)}  CPU us/req {statistics.median(r['cpu_us_per_req'] for r in ref):.1f}"
      "   (libcurl multi on bare epoll)")
loops = {}
import glob
for i in range(len(ref_rps)):
    for run in json.load(open(f"{out}/async-{i + 1}.json"))["runs"]:
        r = run["repeats"][0]
        rps = r["requests"] / r["duration_s"]
        loops.setdefault(run["loop"], []).append((rps, run["summary"]["cpu_us_per_req"]["median"],
                                                  rps / ref_rps[i]))
for loop, rows in loops.items():
    rps = [x for x, _, _ in rows]
    print(f"   {loop:<6} req/s {sp(rps)}  = {statistics.median(rps)/wrk_med:.2f} x wrk"
          f"  = {sp([q for _, _, q in rows], '{:.2f}')} x C ref"
          f"   CPU us/req {statistics.median(c for _, c, _ in rows):.1f}")
print("3. 1000 sequential GETs of /1k on one reused session, seconds median [min-max]:")
runs = json.load(open(f"{out}/sync.json"))["runs"]
for run in runs:
    if run.get("peer", {}).get("status", "ok") != "ok":
        print(f"   python {run['client']:<19} {run['peer']['status']}: {run['peer'].get('note', '')}")
        continue
    d = [r["duration_s"] for r in run["repeats"]]
    name = "bench http sync (libcurl)" if run["client"] == "loopbench" else "python " + run["client"]
    ratio = run["summary"].get("ours_over_peer", {}).get("loopbench")
    print(f"   {name:<26} {sp(d, '{:.4f}')}  CPU us/req {run['summary']['cpu_us_per_req']['median']:.1f}"
          + (f"   ours is {ratio:.2f}x faster" if ratio else ""))
PY
echo "raw results: $out" >&2
