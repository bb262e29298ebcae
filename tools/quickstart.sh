#!/usr/bin/env bash
# The main job: install what is missing, build, and run a quick benchmark of
# every event loop against the built-in server (server and client pinned to
# different CPUs when the machine has two or more).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
pin=()
if [ "$(nproc)" -ge 2 ]; then pin=(--server-cpu 0 --client-cpu 1); fi
./build/tools/bench loops
./build/tools/bench tcp --loop=all --direction=all --total=1GiB --repeat=3 --warmup=1 "${pin[@]}" \
  --json build/quickstart-tcp.json
./build/tools/bench http --mode=all --size=all --loop=all --requests=1000 --repeat=3 --warmup=1 \
  "${pin[@]}" --json build/quickstart-http.json
./build/tools/bench ws --loop=all --direction=all --total=1GiB --repeat=3 --warmup=1 "${pin[@]}" \
  --json build/quickstart-ws.json
./build/tools/bench stream generate --size=512MiB --file=build/testdata.bin
./build/tools/bench stream client --test=both --loop=all --repeat=3 --file=build/testdata.bin \
  "${pin[@]}" --json build/quickstart-stream.json
echo "results: build/quickstart-{tcp,http,ws,stream}.json"
