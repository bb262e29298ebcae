#!/usr/bin/env bash
# HTTP/2 reference figures, servers on CPU 0, clients on CPU 1, rounds
# interleaved so that both sides of each ratio meet the same machine:
#  1. h2load (nghttp2's reference client) against our server and against
#     nginx (one worker, `listen ... http2`), both h2c with prior knowledge:
#     req/s per size, and ours over nginx;
#  2. h2load --h1 against our server (the same port) and a second nginx
#     (HTTP/1.1; an nginx h2c port speaks nothing else), for the h1 ratio;
#  3. our async client over https on every loop, HTTP/1.1 against HTTP/2
#     (bench http --tls with and without --http2), req/s and CPU per request.
#   ROUNDS=3 REQUESTS=50000 tools/scripts/compare-h2.sh [path/to/bench]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${1:-./build/tools/bench}
rounds=${ROUNDS:-3}
requests=${REQUESTS:-50000}
out=$(mktemp -d /tmp/compare-h2.XXXXXX)
for tool in h2load python3 taskset curl; do
  command -v $tool >/dev/null || { echo "$tool missing: bash tools/install-deps.sh" >&2; exit 2; }
done

"$bench" serve http --port 0 --cpu 0 >"$out/ours.log" 2>&1 &
ours_pid=$!
ngx_port=$((20000 + RANDOM % 20000))
tools/scripts/nginx-target.sh "$ngx_port" "$out/nginx" 0 h2c >"$out/nginx.log" 2>&1 &
ngx_pid=$!
ngx1_port=$((ngx_port + 1))
tools/scripts/nginx-target.sh "$ngx1_port" "$out/nginx-h1" 0 >"$out/nginx-h1.log" 2>&1 &
ngx1_pid=$!
trap 'kill $ours_pid 2>/dev/null; kill -QUIT $ngx_pid $ngx1_pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q "listening on" "$out/ours.log" && break; sleep 0.05; done
ours_port=$(sed -nE 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$out/ours.log")
for _ in $(seq 100); do
  curl -s --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$ngx_port/1k" &&
    curl -s -o /dev/null "http://127.0.0.1:$ngx1_port/1k" && break
  sleep 0.05
done

# h2load's req/s, or "failed" with its summary line, for: URL [h2load options...]
h2load_rps() {
  local url=$1
  shift
  local text
  text=$(taskset -c 1 h2load -n "$requests" "$@" "$url" 2>&1 || true)
  if grep -q "$requests succeeded, 0 failed" <<<"$text"; then
    sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' <<<"$text"
  else
    echo "failed: $(grep -m1 '^requests:' <<<"$text")" >&2
    echo 0
  fi
}

: >"$out/h2load.txt"
for r in $(seq "$rounds"); do
  for size in 1k 20k 200k; do
    for server in ours nginx; do
      h2=$ours_port h1=$ours_port
      [ $server = nginx ] && h2=$ngx_port h1=$ngx1_port
      echo "h2 $size $server $(h2load_rps "http://127.0.0.1:$h2/$size" -c 4 -m 32)" >>"$out/h2load.txt"
      echo "h1 $size $server $(h2load_rps "http://127.0.0.1:$h1/$size" --h1 -c 100 -m 1)" \
        >>"$out/h2load.txt"
    done
  done
  echo "h2load round $r of $rounds done" >&2
done

python3 - "$out/h2load.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    proto, size, server, rps = line.split()
    rows.setdefault((proto, size, server), []).append(float(rps))
print("h2load req/s against our server and nginx (one worker), same rounds: median [min-max]")
print(f"{'protocol':<9} {'size':>5}  {'ours':>28}  {'nginx':>28}  ours/nginx")
for proto in ("h2", "h1"):
    for size in ("1k", "20k", "200k"):
        o, n = rows[(proto, size, "ours")], rows[(proto, size, "nginx")]
        fmt = lambda v: f"{statistics.median(v):>9.0f} [{min(v):.0f}-{max(v):.0f}]"
        ratio = statistics.median(o) / statistics.median(n) if statistics.median(n) else 0
        print(f"{proto:<9} {size:>5}  {fmt(o):>28}  {fmt(n):>28}  {ratio:.2f}x")
PY

echo
echo "Our async client over https on every loop: HTTP/1.1 (100 connections) against HTTP/2"
echo "(1 connection, 100 streams), the same built-in server:"
for r in $(seq "$rounds"); do
  "$bench" http --tls --mode=async --loop=all --size=1k,200k --requests=5000 --repeat=3 \
    --server-cpu=0 --client-cpu=1 --json="$out/h1-$r.json" >/dev/null
  "$bench" http --tls --http2 --mode=async --loop=all --size=1k,200k --requests=5000 \
    --repeat=3 --server-cpu=0 --client-cpu=1 --json="$out/h2-$r.json" >/dev/null
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for proto in ("h1", "h2"):
    for r in range(1, rounds + 1):
        for run in json.load(open(f"{out}/{proto}-{r}.json"))["runs"]:
            key = (run["loop"], run["params"]["size"], proto)
            s = run["summary"]
            rows.setdefault(key, []).append((s["req_per_s"]["median"], s["cpu_us_per_req"]["median"]))
print(f"{'loop':<7} {'size':>5}  {'h1 req/s':>9} {'h2 req/s':>9}  h2/h1  {'h1 CPU us':>9} {'h2 CPU us':>9}")
for (loop, size, proto) in sorted(rows):
    if proto != "h1":
        continue
    h1, h2 = rows[(loop, size, "h1")], rows[(loop, size, "h2")]
    m = lambda v, i: statistics.median(x[i] for x in v)
    print(f"{loop:<7} {size:>5}  {m(h1,0):>9.0f} {m(h2,0):>9.0f}  {m(h2,0)/m(h1,0):.2f}x  "
          f"{m(h1,1):>9.1f} {m(h2,1):>9.1f}")
PY
echo "(raw results in $out)"
