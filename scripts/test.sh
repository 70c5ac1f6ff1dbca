#!/usr/bin/env bash
# Builds openbits and runs every test under Wine.  Installs what is missing
# first (Debian packages, CMocka's source, the Wine prefix), so it works on a
# fresh Debian 12 machine and any number of times in a row.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${OPENBITS_BUILD_DIR:-build}

bash scripts/bootstrap.sh "$build"
cmake -S . -B "$build" -G Ninja
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure "$@"
