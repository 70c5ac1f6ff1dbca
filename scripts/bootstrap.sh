#!/usr/bin/env bash
# The setup step: installs what openbits needs, only what is missing, and is
# safe to run any number of times.  Usage: bootstrap.sh [build-dir]
#  1. the Debian packages (needs root, or sudo, only when something is missing);
#  2. the libraries Debian packages only for Linux, cross-built for MinGW-w64
#     from Debian's source packages (with Debian's patches) into
#     <build-dir>/_deps, never vendored: CMocka for the tests, libcurl for
#     the HTTP transport.  Each is built once per build tree, only when it is
#     missing.  CMake's configure only finds them there; it installs nothing.
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
    bash scripts/fetch-source.sh cmocka "$cmocka/src"
    cmake -S "$cmocka/src" -B "$cmocka/build" -G Ninja \
          -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/mingw-w64-x86_64.cmake" \
          -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$cmocka/install" \
          -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF >/dev/null
    cmake --build "$cmocka/build" --target install >/dev/null
    [ -f "$cmocka/install/lib/libcmocka-static.a" ] || { echo "bootstrap: CMocka did not build" >&2; exit 1; }
fi

# libcurl, cross-built once per build tree as a static library with only what
# the HTTP transport uses: HTTP and HTTPS (Schannel), SSPI for NTLM and
# Negotiate, the threaded resolver; no other protocol, no cookies, no
# compression, no IDN, no CA bundle (certificates are verified by openbits
# against the system store, see docs/choices.md).  About 4 minutes on a
# loaded 2-core machine, once.
curl=$build/_deps/curl
if [ ! -f "$curl/install/lib/libcurl.a" ]; then
    echo "bootstrap: cross-building libcurl from Debian's source package into $curl (a few minutes, once)"
    bash scripts/fetch-source.sh curl "$curl/src"
    rm -rf "$curl/build"
    cmake -S "$curl/src" -B "$curl/build" -G Ninja \
          -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/mingw-w64-x86_64.cmake" \
          -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$curl/install" \
          -DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DENABLE_MANUAL=OFF \
          -DHTTP_ONLY=ON -DCURL_DISABLE_COOKIES=ON -DENABLE_UNIX_SOCKETS=OFF \
          -DCURL_USE_SCHANNEL=ON -DCURL_WINDOWS_SSPI=ON -DCURL_USE_OPENSSL=OFF \
          -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none \
          -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBPSL=OFF -DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF \
          -DUSE_LIBIDN2=OFF -DUSE_NGHTTP2=OFF >/dev/null
    cmake --build "$curl/build" --target install >/dev/null
    [ -f "$curl/install/lib/libcurl.a" ] || { echo "bootstrap: libcurl did not build" >&2; exit 1; }
fi
