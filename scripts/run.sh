#!/usr/bin/env bash
# The main job: build openbits, register it in a Wine prefix inside the build
# tree, start the loopback HTTP server, download a generated file through
# openbits with `openbits-admin /transfer` and its live progress display, and
# check every byte of it.  Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath -m "${OPENBITS_BUILD_DIR:-build}")   # relative to the checkout, or absolute
size=${OPENBITS_EXAMPLE_SIZE:-67108864}   # 64 MiB

bash scripts/bootstrap.sh "$build"
cmake -S . -B "$build" -G Ninja >/dev/null
cmake --build "$build"
bash cmake/wine-prefix.sh "$build/wineprefix"
export WINEPREFIX="$build/wineprefix" WINEDEBUG=-all
winpath() { echo "Z:$(echo "$1" | tr / '\\')"; }

"$build/wine-run.sh" regsvr32 /s "$(winpath "$build/src/openbits.dll")"
# Wine's helper processes start with this quiet command, so that none of them
# holds on to our stdout once the example has finished.
"$build/wine-run.sh" cmd /c exit

server="$build/example-server"
bash tests/servers/server_ctl.sh start "$server" tests/servers/http_server.py >/dev/null
# openbits-admin's jobs live in openbits-host, which COM starts: stop it at the end.
trap 'bash tests/servers/server_ctl.sh stop "$server" >/dev/null; "$build/wine-run.sh" "$(winpath "$build/src/openbits-host.exe")" /stop >/dev/null' EXIT
url="http://127.0.0.1:$(cat "$server/server.port")/data/$size"
local_file="$build/example-download.bin"
rm -f "$local_file"

echo "Downloading $url through openbits-admin"
# wine directly (not wine-run.sh, which holds the output until the end), so
# the progress shows live: redrawn in place on a terminal, a line a second
# otherwise.
wine "$build/tools/openbits-admin.exe" /transfer openbits-example /priority foreground \
    "$url" "$(winpath "$local_file")" </dev/null
python3 - "$local_file" "$size" <<'PY'
import sys
path, size = sys.argv[1], int(sys.argv[2])
period = bytes((i * 7 + i // 251) & 0xFF for i in range(251 * 128))
with open(path, "rb") as f:
    data = f.read()
expected = (period * (size // len(period) + 1))[:size]
if data != expected:
    sys.exit(f"{path}: content differs from what the server sent")
print(f"{path}: all {size} bytes match what the server sent")
PY
rm -f "$local_file"
