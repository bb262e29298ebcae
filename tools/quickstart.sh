#!/usr/bin/env bash
# The main job: install what is missing, build, and run a quick benchmark of
# every event loop against the built-in server (server and client pinned to
# different CPUs when the machine has two or more).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
# Every scenario (tcp, http, ws, wss, stream) on every loop, 5 interleaved
# rounds, servers on CPU 0 and clients on CPU 1 when there are two CPUs;
# prints the tables and where results.json, summary.md and report.html are.
./build/tools/bench loops
./build/tools/bench matrix --profile quick
