#!/usr/bin/env bash
# The setup step: installs what openbits needs, only what is missing, and is
# safe to run any number of times.  Usage: bootstrap.sh [build-dir]
#  1. the Debian packages (needs root, or sudo, only when something is missing);
#  2. the libraries Debian packages only for Linux, cross-built for MinGW-w64
#     from Debian's source packages into <build-dir>/_deps (CMocka), never
#     vendored.  CMake's configure only finds them there; it installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath -m "${1:-${OPENBITS_BUILD_DIR:-build}}")

packages=(gcc-mingw-w64-x86-64 mingw-w64-tools wine wine64 libwine-dev
          cmake ninja-build python3 dpkg-dev curl ca-certificates openssl)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# CMocka, cross-built once per build tree as a static library.
cmocka=$build/_deps/cmocka
if [ ! -f "$cmocka/install/lib/libcmocka-static.a" ]; then
    echo "bootstrap: cross-building CMocka from Debian's source package into $cmocka"
    bash scripts/fetch-cmocka.sh "$cmocka/src"
    cmake -S "$cmocka/src" -B "$cmocka/build" -G Ninja \
          -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/mingw-w64-x86_64.cmake" \
          -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$cmocka/install" \
          -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF >/dev/null
    cmake --build "$cmocka/build" --target install >/dev/null
    [ -f "$cmocka/install/lib/libcmocka-static.a" ] || { echo "bootstrap: CMocka did not build" >&2; exit 1; }
fi
