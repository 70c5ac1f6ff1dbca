#!/usr/bin/env bash
# A directory that refuses new files, for the tests of AddFile into a
# non-writable directory: mode 555, and immutable (chattr +i) when run as
# root, since root ignores the mode.  The test itself checks that Wine really
# refuses a write there.   readonly_dir.sh setup|cleanup DIR
set -u
dir=$2
case $1 in
setup)
    chattr -i "$dir" 2>/dev/null
    rm -rf "$dir"
    mkdir -p "$dir" && chmod 555 "$dir" || exit 1
    if [ "$(id -u)" = 0 ]; then chattr +i "$dir" || echo "readonly_dir: chattr +i failed; root may still write" >&2; fi
    ;;
cleanup)
    chattr -i "$dir" 2>/dev/null
    chmod 755 "$dir" 2>/dev/null
    rm -rf "$dir"
    ;;
esac
exit 0
