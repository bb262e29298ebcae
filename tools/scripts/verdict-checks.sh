#!/usr/bin/env bash
# Checks the verdicts against known answers (docs/verdict-checks.md):
#  A/A: RUNS quick matrices of epoll against itself under a second name
#  (every faster/slower/more/less verdict is a false one);
#  slowdown: RUNS http matrices with that twin slowed by 10 % (each
#  comparison should say slower, its interval holding 0.90).
#   RUNS=4 tools/scripts/verdict-checks.sh [path/to/bench] [out dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=$(realpath "${1:-./build/tools/bench}")
out=${2:-results/verdict-checks-$(date -u +%Y%m%dT%H%M%S)}
runs=${RUNS:-4}
mkdir -p "$out"
for i in $(seq "$runs"); do
  LOOPBENCH_TEST_TWIN=epoll "$bench" matrix --loops=epoll,epoll-twin --out "$out/aa$i" \
    --data-dir "$out" >"$out/aa$i.txt" 2>&1 || true
  LOOPBENCH_TEST_TWIN=epoll LOOPBENCH_TEST_TWIN_SLOWDOWN=10 "$bench" matrix --scenarios=http \
    --loops=epoll,epoll-twin --out "$out/slow$i" >"$out/slow$i.txt" 2>&1 || true
  echo "run $i of $runs done" >&2
done
# Counts the verdicts of every comparison, by kind of run.
python3 - "$out" <<'PY'
import collections, glob, json, sys
for kind in ("aa", "slow"):
    counts = collections.Counter()
    for path in sorted(glob.glob(f"{sys.argv[1]}/{kind}*/results.json")):
        for c in json.load(open(path))["comparisons"]:
            counts[(c["scenario"], c["group"], c["metric"], c["verdict"])] += 1
    print(f"{kind}: {sum(counts.values())} comparisons")
    for (scenario, group, metric, verdict), n in sorted(counts.items()):
        print(f"  {n:3}  {scenario} {group} {metric}: {verdict}")
PY
