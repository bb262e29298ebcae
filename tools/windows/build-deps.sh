#!/usr/bin/env bash
# Builds the third-party libraries of the Windows (mingw-w64) build from
# Debian source packages: libuv, OpenSSL, nghttp2, libcurl against that
# OpenSSL, and wslay when its source package downloads. Installs the
# cross toolchain and Wine first. Everything lands in a prefix outside the
# clone, keyed by the source versions and this script, and is reused while
# they match. Prints the prefix on its last line.
#
#   bash tools/windows/build-deps.sh        # LOOPBENCH_CACHE=/var/cache/loopbench
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${LOOPBENCH_CACHE:-/var/cache/loopbench}
host=x86_64-w64-mingw32
jobs=$(nproc)

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive

packages=(g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64
          wine wine64 dpkg-dev perl make cmake ninja-build)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# apt-get source needs deb-src lines; this Debian ships deb lines only.
sources=/etc/apt/sources.list.d/loopbench-deb-src.sources
added_src=0
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  $sudo tee "$sources" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  added_src=1
fi
if [ ${#missing[@]} -gt 0 ] || [ $added_src -eq 1 ]; then
  $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Source versions the cache key names: every version apt knows, newest first.
versions_of() { apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -Vr | uniq; }

# Downloads the newest version of a source package that the mirror still
# has (it drops superseded files: the newest openssl has 404'd while an
# older one downloaded). Prints the folder, or nothing when none downloads.
fetch_source() {
  local pkg=$1 into=$2 v
  for v in $(versions_of "$pkg"); do
    rm -rf "$into" && mkdir -p "$into"
    if (cd "$into" && apt-get source -qq --download-only "$pkg=$v" >/dev/null 2>&1 &&
        dpkg-source -x --no-check ./*.dsc src >/dev/null 2>&1); then
      echo "$v"
      return 0
    fi
  done
  return 1
}

key=$( (for p in libuv1 openssl nghttp2 curl wslay; do versions_of "$p" | head -3; done
        cat "$0") | sha256sum | cut -c1-16)
prefix=$cache/mingw-w64-$key
if [ -f "$prefix/.complete" ]; then
  echo "=== windows deps: cached in $prefix" >&2
  echo "$prefix"
  exit 0
fi

work=$cache/src-$key
$sudo mkdir -p "$cache"
$sudo chown "$(id -u):$(id -g)" "$cache"
rm -rf "$work" "$prefix"
mkdir -p "$work" "$prefix"

# CMake projects of the libraries share one toolchain: the project's own.
cmake_build() {
  local src=$1
  shift
  cmake -S "$src" -B "$src/build-mingw" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$here/../../cmake/mingw-w64.cmake" \
    -DLOOPBENCH_WINDOWS_PREFIX="$prefix" -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DBUILD_SHARED_LIBS=OFF "$@" >/dev/null
  cmake --build "$src/build-mingw" -j "$jobs" >/dev/null
  cmake --install "$src/build-mingw" >/dev/null
}

t0=$SECONDS
step() { echo "=== $1 ($((SECONDS - t0)) s since the start)" >&2; }
v=$(fetch_source libuv1 "$work/libuv") || { echo "libuv1: no source package downloads" >&2; exit 1; }
step "libuv $v"
cmake_build "$work/libuv/src" -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF

v=$(fetch_source openssl "$work/openssl") || { echo "openssl: no source package downloads" >&2; exit 1; }
step "openssl $v"
(cd "$work/openssl/src" &&
  ./Configure mingw64 --cross-compile-prefix=$host- --prefix="$prefix" --libdir=lib \
    no-shared no-tests >/dev/null &&
  make -j "$jobs" build_libs >/dev/null && make install_dev >/dev/null)

v=$(fetch_source nghttp2 "$work/nghttp2") || { echo "nghttp2: no source package downloads" >&2; exit 1; }
step "nghttp2 $v"
# mingw has clock_gettime and GetTickCount64; nghttp2 1.52 then calls a
# helper it only defines without the latter: take GetTickCount64.
cmake_build "$work/nghttp2/src" -DENABLE_LIB_ONLY=ON -DENABLE_STATIC_LIB=ON -DENABLE_SHARED_LIB=OFF \
  -DENABLE_DOC=OFF -DHAVE_CLOCK_GETTIME=0

v=$(fetch_source curl "$work/curl") || { echo "curl: no source package downloads" >&2; exit 1; }
step "curl $v"
cmake_build "$work/curl/src" -DCMAKE_C_FLAGS=-DNGHTTP2_STATICLIB -DCURL_USE_OPENSSL=ON -DCURL_USE_SCHANNEL=OFF -DUSE_NGHTTP2=ON \
  -DCURL_DISABLE_LDAP=ON -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBPSL=OFF -DCURL_ZLIB=OFF \
  -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_LIBIDN2=OFF -DENABLE_UNICODE=OFF -DBUILD_CURL_EXE=OFF \
  -DBUILD_TESTING=OFF -DHTTP_ONLY=ON -DOPENSSL_ROOT_DIR="$prefix" -DOPENSSL_USE_STATIC_LIBS=ON \
  -DNGHTTP2_INCLUDE_DIR="$prefix/include" -DNGHTTP2_LIBRARY="$prefix/lib/libnghttp2.a"

# wslay is optional: without it the Windows bench offers the native codec only.
if v=$(fetch_source wslay "$work/wslay"); then
  step "wslay $v"
  cmake_build "$work/wslay/src" -DWSLAY_STATIC=ON -DWSLAY_SHARED=OFF -DWSLAY_CONFIGURE_INSTALL=ON || true
else
  echo "=== wslay: no source package downloads; the Windows build offers the native codec only" >&2
fi

# Header-only libraries, from the Debian packages the Linux build uses. A
# folder of links, never /usr/include itself: glibc's headers break mingw.
mkdir -p "$prefix/include"
for d in nlohmann CLI doctest fmt; do
  ln -sfn "/usr/include/$d" "$prefix/include/$d"
done

rm -rf "$work"
touch "$prefix/.complete"
# Prefixes of other versions (or of an older script) are not used again.
for old in "$cache"/mingw-w64-* "$cache"/src-*; do
  if [ "$old" != "$prefix" ]; then rm -rf "$old"; fi
done
echo "=== windows deps: built in $((SECONDS - t0)) s into $prefix" >&2
echo "$prefix"
