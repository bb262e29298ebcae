#!/usr/bin/env bash
# How trustworthy are the matrix's verdicts on this machine?
#  A/A: RUNS quick matrices of the same build; every pair is compared with
#  `bench compare` (any REGRESSION there is a false alarm).
#  A/B: a quick matrix of ws and wss with --chunk=4KiB (a real slowdown of
#  the WebSocket path: 16x more messages for the same bytes) against each
#  A run: how many of its rows are flagged.
#   RUNS=6 tools/scripts/matrix-aa.sh [path/to/bench] [out dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${1:-./build/tools/bench}
out=${2:-results/aa-$(date -u +%Y%m%dT%H%M%S)}
runs=${RUNS:-6}
mkdir -p "$out"
for i in $(seq "$runs"); do
  "$bench" matrix --profile quick --out "$out/a$i" --data-dir "$out" >"$out/a$i.txt" 2>&1 || true
  echo "A run $i of $runs done" >&2
done
"$bench" matrix --profile quick --scenarios=ws,wss --chunk=4KiB --out "$out/b" --data-dir "$out" \
  >"$out/b.txt" 2>&1 || true

pairs=0 false_rows=0 false_pairs=0 rows=0
for i in $(seq "$runs"); do
  for j in $(seq $((i + 1)) "$runs"); do
    "$bench" compare "$out/a$i/results.json" "$out/a$j/results.json" >"$out/cmp-a$i-a$j.txt" || true
    n=$(grep -c "REGRESSION" "$out/cmp-a$i-a$j.txt" || true)
    r=$(grep -cE "unchanged|improvement|REGRESSION" "$out/cmp-a$i-a$j.txt" || true)
    pairs=$((pairs + 1)); rows=$((rows + r)); false_rows=$((false_rows + n))
    [ "$n" -gt 0 ] && false_pairs=$((false_pairs + 1))
  done
done
echo "A/A: $pairs pairs of quick matrices, $rows row comparisons: $false_rows rows flagged as regression in $false_pairs pairs"
adj=0
for i in $(seq 1 $((runs - 1))); do
  n=$(grep -c "REGRESSION" "$out/cmp-a$i-a$((i + 1)).txt" || true)
  [ "$n" -gt 0 ] && adj=$((adj + 1))
done
echo "A/A, consecutive pairs only ($((runs - 1)) independent-in-time pairs): $adj with a false regression"
for i in $(seq "$runs"); do
  "$bench" compare "$out/a$i/results.json" "$out/b/results.json" >"$out/cmp-a$i-b.txt" || true
  echo "A$i vs chunk 4KiB: $(grep -E '^ws ' "$out/cmp-a$i-b.txt" | awk '{print $NF}' | sort | uniq -c | tr '\n' ' ')"
done
grep -E "^ws " "$out/cmp-a1-b.txt"
echo "raw: $out"
