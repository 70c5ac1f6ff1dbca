#!/usr/bin/env bash
# Creates the Wine prefix the tests use (inside the build tree) once.
set -euo pipefail
export WINEPREFIX=$1
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    wineboot -i </dev/null >/dev/null 2>&1
    # Without this restart the first out-of-process COM activation can spin
    # because RpcSs is not up yet.
    wineserver -k || true
fi
# One wineserver for the whole test run instead of one per test.
wineserver -p60 </dev/null >/dev/null 2>&1 &
exit 0
