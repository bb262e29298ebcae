#!/usr/bin/env bash
# Installs the Debian 12 packages loopbench builds, tests and benchmarks
# with; does nothing when all are present. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  libuv1-dev liburing-dev libssl-dev libcurl4-openssl-dev libnghttp2-dev libwslay-dev node-llhttp
  doctest-dev libcli11-dev nlohmann-json3-dev libfmt-dev clang libclang-rt-dev
  iperf3 python3 wrk nghttp2-client nginx-light python3-requests python3-pycurl
  python3-httpx python3-h2 python3-websockets python3-aiohttp python3-uvloop node-ws chromium
  iproute2
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine's daily apt job may hold dpkg's lock: wait for it.
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
