#!/usr/bin/env bash
# Puts CMocka's Debian source package into $1 (unpacked), enabling deb-src
# entries derived from this machine's own apt sources when none exist.
# No mirror is named here: the sources are whatever this machine already uses.
set -euo pipefail
dest=$1
[ -f "$dest/CMakeLists.txt" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

has_deb_src() {
    grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/
}
if ! has_deb_src; then
    src=/etc/apt/sources.list.d/debian.sources
    if [ -f "$src" ]; then
        sed 's/^Types: *deb$/Types: deb-src/' "$src" | $sudo tee /etc/apt/sources.list.d/openbits-deb-src.sources >/dev/null
    elif [ -f /etc/apt/sources.list ]; then
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | $sudo tee /etc/apt/sources.list.d/openbits-deb-src.list >/dev/null
    fi
    $sudo apt-get update -qq
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source --download-only -qq cmocka >/dev/null)
tarball=$(ls "$work"/cmocka_*.orig.tar.* | head -n 1)
mkdir -p "$dest"
tar -xf "$tarball" -C "$dest" --strip-components=1
