#!/usr/bin/env bash
# Usage: fetch-source.sh PACKAGE DEST
# Puts Debian's source package PACKAGE into DEST, unpacked with Debian's own
# patches applied (dpkg-source -x: for curl these are the security fixes of
# the release), enabling deb-src entries derived from this machine's own apt
# sources when none exist.  No mirror is named here: the sources are
# whatever this machine already uses.  Does nothing if DEST holds the tree.
set -euo pipefail
package=$1
dest=$2
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
(cd "$work" && apt-get source --download-only -qq "$package" >/dev/null 2>&1) \
    || { echo "fetch-source: apt-get source $package failed" >&2; exit 1; }
dsc=$(ls "$work/${package}"_*.dsc | head -n 1)
dpkg-source --no-check -x "$dsc" "$work/tree" >/dev/null
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$work/tree" "$dest"
