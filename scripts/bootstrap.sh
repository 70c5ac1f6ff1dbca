#!/usr/bin/env bash
# Installs the Debian packages openbits needs, only those that are missing.
# Safe to run any number of times; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(gcc-mingw-w64-x86-64 mingw-w64-tools wine wine64 libwine-dev
          cmake ninja-build python3 dpkg-dev curl ca-certificates openssl)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "bootstrap: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
