#!/usr/bin/env bash
# The main job: build openbits, register it in a Wine prefix inside the build
# tree, and run the example that creates a job and shows its progress.
# Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${OPENBITS_BUILD_DIR:-build}

bash scripts/bootstrap.sh
cmake -S . -B "$build" -G Ninja >/dev/null
cmake --build "$build"
bash cmake/wine-prefix.sh "$PWD/$build/wineprefix"
run="$build/wine-run.sh"
dll="Z:$(echo "$PWD/$build/src/openbits.dll" | tr / '\\')"
"$run" regsvr32 /s "$dll"
"$run" "$build/show_progress.exe"
