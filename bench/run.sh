#!/usr/bin/env bash
# One command for every throughput figure openbits cares about:
#
#   bash bench/run.sh [size-bytes]          (default 1073741824 = 1 GiB)
#
# Builds openbits and the bench programs in build-bench/ (its own Wine prefix
# and wineserver, so it never disturbs build/ and a test run; set
# OPENBITS_BENCH_BUILD_DIR to change it), registers openbits.dll, starts the
# loopback test server, downloads /data/<size> with native curl, a Winsock
# recv loop, a bare libcurl loop, a WinHTTP read loop, openbits (both HTTP
# backends; without and with GetProgress readers, and beside CPU burners)
# and Wine's own qmgr (in a prefix of its own where openbits is not
# registered), the same over HTTPS (a test CA trusted in the prefix),
# uploads a local file of OPENBITS_BENCH_UPLOAD_SIZE bytes (default 256 MiB,
# at most 1 GiB) to the loopback BITS upload server with native curl
# (bench/bits_post_curl.sh), a bare WinHTTP loop and openbits, then prints a
# table of MiB/s and the ratios.
# Each figure is the median of OPENBITS_BENCH_REPEAT interleaved rounds
# (default 3).  See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
size=${1:-1073741824}
build=${OPENBITS_BENCH_BUILD_DIR:-build-bench}
repeat=${OPENBITS_BENCH_REPEAT:-3}
readers=4
upload_size=${OPENBITS_BENCH_UPLOAD_SIZE:-268435456}
max_upload_size=1073741824      # the upload server holds every upload in memory

die() { echo "bench: $*" >&2; exit 1; }
[[ $size =~ ^[0-9]+$ && $size -gt 0 ]] || die "size must be a positive number of bytes, not '$size'"
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "OPENBITS_BENCH_REPEAT must be a positive number"
[[ $upload_size =~ ^[0-9]+$ && $upload_size -gt 0 && $upload_size -le $max_upload_size ]] \
    || die "OPENBITS_BENCH_UPLOAD_SIZE must be a number of bytes from 1 to $max_upload_size, not '$upload_size'"
case $build in /*) ;; *) build=$root/$build ;; esac
prefix=$build/wineprefix
qmgr_prefix=$build/qmgr-prefix  # Wine's builtin BITS: openbits is never registered here
tls=$build/tls
run=$build/wine-run.sh
bin=$build/bench

tmp=$(mktemp -d /tmp/openbits-bench.XXXXXX)
cleanup() {
    bash tests/servers/server_ctl.sh stop "$tmp/server" >/dev/null 2>&1 || true
    bash tests/servers/server_ctl.sh stop "$tmp/upload-server" >/dev/null 2>&1 || true
    bash tests/servers/server_ctl.sh stop "$tmp/https-server" >/dev/null 2>&1 || true
    [ -d "$qmgr_prefix" ] && WINEPREFIX=$qmgr_prefix wineserver -k >/dev/null 2>&1 || true
    [ -x "$run" ] && "$run" "$(win_path "$build/src/openbits-host.exe")" /stop >/dev/null 2>&1 || true
    [ -d "$prefix" ] && WINEPREFIX=$prefix wineserver -k >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

win_path() { echo "Z:$(echo "$1" | tr / '\\')"; }

build_all() {
    echo "bench: building in $build" >&2
    bash scripts/bootstrap.sh "$build"
    cmake -S . -B "$build" -G Ninja >/dev/null
    cmake --build "$build" --target openbits openbits-host bench_winhttp bench_winsock bench_curl bench_openbits \
        bench_upload_winhttp bench_upload_openbits bench_trust_ca >/dev/null \
        || die "build failed (run: cmake --build $build --target bench_openbits)"
    bash cmake/wine-prefix.sh "$prefix"
    "$run" regsvr32 /s "$(win_path "$build/src/openbits.dll")" >/dev/null \
        || die "regsvr32 could not register $build/src/openbits.dll"
    bash tests/servers/tls/make_test_cert.sh "$tls" >/dev/null || die "could not make the test certificates"
    "$run" "$bin/bench_trust_ca.exe" "$(win_path "$tls/ca.pem")" || die "could not trust the test CA"
    bash cmake/wine-prefix.sh "$qmgr_prefix"
}

# qmgr <command...>: the command in the prefix of Wine's own BITS.
in_qmgr_prefix() { WINEPREFIX=$qmgr_prefix "$@"; }

start_server() {
    bash tests/servers/server_ctl.sh start "$tmp/server" tests/servers/http_server.py --lifetime 7200 >/dev/null \
        || die "could not start the loopback server (see above)"
    port=$(cat "$tmp/server/server.port")
    url=http://127.0.0.1:$port/data/$size
    bash tests/servers/server_ctl.sh start "$tmp/https-server" tests/servers/http_server.py --lifetime 7200 \
        --tls-cert "$tls/server.pem" --tls-key "$tls/server.key" >/dev/null \
        || die "could not start the loopback HTTPS server (see above)"
    # localhost: Wine's SSL policy matches DNS names only, not IP addresses
    https_url=https://localhost:$(cat "$tmp/https-server/server.port")/data/$size
}

# The BITS upload server keeps every upload in memory: it is started afresh
# for each round, so that it never holds more than one round's uploads.
restart_upload_server() {
    bash tests/servers/server_ctl.sh stop "$tmp/upload-server" >/dev/null 2>&1 || true
    bash tests/servers/server_ctl.sh start "$tmp/upload-server" tests/servers/bits_upload_server.py \
        --lifetime 7200 >/dev/null || die "could not start the loopback BITS upload server (see above)"
    upload_server=http://127.0.0.1:$(cat "$tmp/upload-server/server.port")
}

# The file every upload sends (not *.bin: attempt deletes those).
make_upload_source() {
    upload_source=$tmp/upload-source.dat
    head -c "$upload_size" /dev/urandom >"$upload_source" || die "cannot create $upload_source"
}

# The median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Runs a Wine bench program; prints its "result" line's seconds, saves every
# other key=value line in $tmp/<name>.extra.  Failing output goes to stderr.
wine_seconds() {
    local name=$1 out
    shift
    if ! out=$("$run" "$@" 2>&1); then
        echo "bench: $name failed:" >&2
        echo "$out" | head -20 | sed 's/^/    /' >&2
        [ "$(echo "$out" | wc -l)" -le 20 ] || echo "    ..." >&2
        return 1
    fi
    echo "$out" | grep '^readers ' >>"$tmp/$name.extra" || true
    echo "$out" | awk '/^result / { for (i = 3; i <= NF; i++) if ($i ~ /^seconds=/) print substr($i, 9) }'
}

curl_seconds() {
    local target=$1 from=${2:-$url} got
    got=$(curl -sS --cacert "$tls/ca.pem" -o "$target" -w '%{size_download} %{time_total}' "$from") || return 1
    [ "${got% *}" = "$size" ] || { echo "bench: curl got ${got% *} bytes, expected $size" >&2; return 1; }
    echo "${got#* }"
}

# upload_seconds <name> <exe> <remote-name> [args...]: one upload of the
# source file to /upload/<remote-name>, then a check that the server committed
# exactly those bytes; prints the seconds.
upload_seconds() {
    local name=$1 exe=$2 remote=$3 s
    shift 3
    s=$(wine_seconds "$name" "$exe" "$upload_server/upload/$remote" "$(win_path "$upload_source")" "$@") || return 1
    if ! curl -sSf "$upload_server/uploaded/upload/$remote" | cmp -s - "$upload_source"; then
        echo "bench: $name: GET /uploaded/upload/$remote is not the $upload_size bytes sent" >&2
        return 1
    fi
    echo "$s"
}

# curl_upload_seconds <remote-name>: native curl sending the same BITS_POST
# fragments (1 MiB, the WinHTTP loop's size) to the same server.
curl_upload_seconds() {
    local remote=$1 out
    out=$(bash bench/bits_post_curl.sh "$upload_server/upload/$remote" "$upload_source") || return 1
    if ! curl -sSf "$upload_server/uploaded/upload/$remote" | cmp -s - "$upload_source"; then
        echo "bench: curl_upload: GET /uploaded/upload/$remote is not the $upload_size bytes sent" >&2
        return 1
    fi
    echo "$out" | awk '/^result / { for (i = 3; i <= NF; i++) if ($i ~ /^seconds=/) print substr($i, 9) }'
}

# attempt <name> <command...>: one run; its seconds are appended to
# runs[name].  A name that fails once is marked failed and not run again.
declare -A runs failed last secs
attempt() {
    local name=$1 s
    shift
    [ -z "${failed[$name]:-}" ] || return 0
    echo "bench: $name ..." >&2
    if s=$("$@") && [ -n "$s" ]; then
        runs[$name]+="$s"$'\n'
        last[$name]=$s
    else
        failed[$name]=1
    fi
    rm -f "$tmp"/*.bin
}

# The median of each name's runs in secs[name], empty for a failed name.
summarize() {
    local name
    for name in "${!runs[@]}"; do
        secs[$name]=$(printf '%s' "${runs[$name]}" | median)
    done
    for name in "${!failed[@]}"; do
        secs[$name]=""
    done
}

# The bytes a measurement moves: the upload size for uploads.
bytes_of() {
    case $1 in
    *_upload) echo "$upload_size" ;;
    *) echo "$size" ;;
    esac
}

mibs() {
    [ -n "${secs[$1]:-}" ] || { echo n/a; return; }
    awk -v b="$(bytes_of "$1")" -v s="${secs[$1]}" 'BEGIN { printf "%.1f", b / 1048576 / s }'
}

# ratio <a> <b>: the throughput of a over the throughput of b.
ratio() {
    [ -n "${secs[$1]:-}" ] && [ -n "${secs[$2]:-}" ] || { echo n/a; return; }
    awk -v a="${secs[$1]}" -v b="${secs[$2]}" 'BEGIN { printf "%.3f", b / a }'
}

# Generous: ten times this round's WinHTTP+file run, at least two minutes.
openbits_timeout() {
    awk -v s="${last[${1:-winhttp_file}]:-60}" 'BEGIN { t = s * 10; print (t < 120) ? 120 : int(t) }'
}

# with_backend <curl|winhttp> <command...>: the command with openbits' HTTP
# backend chosen (the environment overrides HttpTransport).
with_backend() {
    local backend=$1
    shift
    OPENBITS_HTTP_TRANSPORT=$backend "$@"
}

# One round runs everything once; rounds interleave the measurements so that
# a change in the machine's load affects every figure alike.
round() {
    local wfile timeout
    wfile=$(win_path "$tmp/out.bin")
    echo "bench: round $1 of $repeat" >&2
    attempt curl curl_seconds /dev/null
    attempt curl_file curl_seconds "$tmp/curl.bin"
    attempt winsock wine_seconds winsock "$bin/bench_winsock.exe" 127.0.0.1 "$port" "/data/$size"
    attempt libcurl_file wine_seconds libcurl_file "$bin/bench_curl.exe" "$url" "$wfile"
    attempt winhttp wine_seconds winhttp "$bin/bench_winhttp.exe" "$url"
    attempt winhttp_file wine_seconds winhttp_file "$bin/bench_winhttp.exe" "$url" "$wfile"
    attempt winhttp_async_file wine_seconds winhttp_async_file "$bin/bench_winhttp.exe" "$url" "$wfile" --async
    timeout=$(openbits_timeout)
    attempt openbits with_backend curl wine_seconds openbits "$bin/bench_openbits.exe" "$url" "$wfile" \
        --expect "$size" --timeout "$timeout"
    [ -z "${failed[openbits]:-}" ] || failed[openbits_readers]=1
    attempt openbits_readers with_backend curl wine_seconds openbits_readers "$bin/bench_openbits.exe" "$url" \
        "$wfile" --expect "$size" --timeout "$timeout" --readers "$readers"
    attempt openbits_spinners with_backend curl wine_seconds openbits_spinners "$bin/bench_openbits.exe" "$url" \
        "$wfile" --expect "$size" --timeout "$timeout" --readers "$readers" --pause-ms 0
    attempt openbits_burners with_backend curl wine_seconds openbits_burners "$bin/bench_openbits.exe" "$url" \
        "$wfile" --expect "$size" --timeout "$timeout" --burners "$readers"
    attempt openbits_winhttp with_backend winhttp wine_seconds openbits_winhttp "$bin/bench_openbits.exe" "$url" \
        "$wfile" --expect "$size" --timeout "$timeout"
    attempt openbits_host wine_seconds openbits_host "$bin/bench_openbits.exe" "$url" "$wfile" --host \
        --expect "$size" --timeout "$timeout"
    [ -z "${failed[openbits_host]:-}" ] || failed[openbits_host_readers]=1
    attempt openbits_host_readers wine_seconds openbits_host_readers "$bin/bench_openbits.exe" "$url" "$wfile" \
        --host --expect "$size" --timeout "$timeout" --readers "$readers"
    attempt qmgr in_qmgr_prefix wine_seconds qmgr "$bin/bench_openbits.exe" "$url" "$wfile" --qmgr \
        --expect "$size" --timeout "$((timeout * 4))"
    https_round
    upload_round "$1"
}

# The HTTPS downloads of a round: the same file, the test CA trusted.
https_round() {
    local wfile timeout
    wfile=$(win_path "$tmp/out.bin")
    timeout=$(openbits_timeout winhttp_https_file)
    attempt curl_https_file curl_seconds "$tmp/curl.bin" "$https_url"
    attempt libcurl_https_file wine_seconds libcurl_https_file "$bin/bench_curl.exe" "$https_url" "$wfile"
    attempt winhttp_https_file wine_seconds winhttp_https_file "$bin/bench_winhttp.exe" "$https_url" "$wfile"
    attempt openbits_https with_backend curl wine_seconds openbits_https "$bin/bench_openbits.exe" "$https_url" \
        "$wfile" --expect "$size" --timeout "$timeout"
    attempt openbits_https_winhttp with_backend winhttp wine_seconds openbits_https_winhttp \
        "$bin/bench_openbits.exe" "$https_url" "$wfile" --expect "$size" --timeout "$timeout"
}

# The uploads of round $1, each to a name of its own on a fresh server.
upload_round() {
    restart_upload_server
    attempt curl_upload curl_upload_seconds "curl-$1.bin"
    restart_upload_server
    attempt winhttp_upload upload_seconds winhttp_upload "$bin/bench_upload_winhttp.exe" "winhttp-$1.bin"
    attempt openbits_upload with_backend curl upload_seconds openbits_upload "$bin/bench_upload_openbits.exe" \
        "openbits-$1.bin" --timeout "$(openbits_timeout winhttp_upload)"
    attempt openbits_upload_winhttp with_backend winhttp upload_seconds openbits_upload_winhttp \
        "$bin/bench_upload_openbits.exe" "openbits-winhttp-$1.bin" --timeout "$(openbits_timeout winhttp_upload)"
}

run_all() {
    local i
    for ((i = 1; i <= repeat; i++)); do
        round "$i"
    done
    summarize
}

seconds() {
    [ -n "${secs[$1]:-}" ] || { echo n/a; return; }
    awk -v s="${secs[$1]}" 'BEGIN { printf "%.3f", s }'
}

# The slowest and fastest round, in MiB/s.
spread() {
    [ -n "${secs[$1]:-}" ] || { echo n/a; return; }
    printf '%s' "${runs[$1]}" | sort -g | awk -v b="$(bytes_of "$1")" 'NR == 1 { fast = $1 } { slow = $1 }
        END { printf "%.1f-%.1f", b / 1048576 / slow, b / 1048576 / fast }'
}

row() { printf '  %-44s %9s %9s  %s\n' "$1" "$(mibs "$2")" "$(seconds "$2")" "$(spread "$2")"; }

ratio_row() { printf '  %-36s %s\n' "$1" "$2"; }

# verdict <ratio> [target]: met or not (default target 0.95).
verdict() {
    local r=$1 target=${2:-0.95}
    [ "$r" = n/a ] && { echo "not measured"; return; }
    awk -v r="$r" -v t="$target" 'BEGIN { print (r >= t) ? "met" : "NOT met" }'
}

# The value of key $1 on each line of file $2.
field() { grep -o "$1=[0-9.]*" "$2" | cut -d= -f2; }

# calls/s: the median over the runs; inconsistent snapshots and failed calls:
# the sums.
readers_line() {
    local extra=$tmp/${1:-openbits_readers}.extra rate bad failures label=${2:-}
    [ -s "$extra" ] || { echo "  GetProgress from $readers threads$label: n/a"; return; }
    rate=$(field calls_per_s "$extra" | median)
    bad=$(field violations "$extra" | awk '{ n += $1 } END { print n + 0 }')
    failures=$(field failures "$extra" | awk '{ n += $1 } END { print n + 0 }')
    printf '  GetProgress from %d threads%s: %.0f calls/s in all, %d inconsistent snapshots, %d failed calls\n' \
        "$readers" "$label" "$rate" "$bad" "$failures"
}

report() {
    local r
    r=$(ratio openbits_winhttp winhttp_file)
    echo
    echo "openbits loopback download benchmark: $size bytes ($(awk -v b="$size" 'BEGIN { printf "%.0f", b / 1048576 }') MiB), median of $repeat round(s)"
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before the run $load," \
         "$(wine --version 2>/dev/null), $(curl --version | head -1 | cut -d' ' -f1-2)"
    echo
    printf '  %-44s %9s %9s  %s\n' "path" "MiB/s" "seconds" "rounds' MiB/s"
    row "curl, native, to /dev/null" curl
    row "curl, native, to a file" curl_file
    row "Winsock recv loop, 1 MiB buffer (Wine)" winsock
    row "libcurl loop + WriteFile, 1 MiB buffer (Wine)" libcurl_file
    row "WinHTTP read loop, 1 MiB buffer (Wine)" winhttp
    row "WinHTTP read loop + WriteFile (Wine)" winhttp_file
    row "WinHTTP async read loop + WriteFile (Wine)" winhttp_async_file
    row "openbits job, curl backend (Wine)" openbits
    row "openbits job, curl, $readers GetProgress readers" openbits_readers
    row "openbits job, curl, $readers spinning readers" openbits_spinners
    row "openbits job, curl, $readers CPU burners" openbits_burners
    row "openbits job, WinHTTP backend (Wine)" openbits_winhttp
    row "openbits job through openbits-host (Wine)" openbits_host
    row "openbits-host job, $readers readers across processes" openbits_host_readers
    row "Wine's qmgr (builtin BITS, own prefix)" qmgr
    echo
    echo "  HTTPS (test CA trusted; native curl with --cacert)"
    row "curl, native, to a file" curl_https_file
    row "libcurl loop + WriteFile (Wine)" libcurl_https_file
    row "WinHTTP read loop + WriteFile (Wine)" winhttp_https_file
    row "openbits job, curl backend (Wine)" openbits_https
    row "openbits job, WinHTTP backend (Wine)" openbits_https_winhttp
    echo
    echo "  ratios (throughput / throughput)"
    r=$(ratio openbits curl_file)
    ratio_row "openbits (curl) / native curl to a file" "$r   target >= 0.5: $(verdict "$r" 0.5)"
    r=$(ratio openbits libcurl_file)
    ratio_row "openbits (curl) / libcurl loop" "$r   target >= 0.9: $(verdict "$r" 0.9)"
    ratio_row "openbits (curl) / openbits (WinHTTP)" "$(ratio openbits openbits_winhttp)"
    r=$(ratio openbits qmgr)
    ratio_row "openbits (curl) / Wine's qmgr" "$r   target >= 20: $(verdict "$r" 20)"
    r=$(ratio openbits_https curl_https_file)
    ratio_row "HTTPS: openbits (curl) / native curl" "$r   target >= 0.5: $(verdict "$r" 0.5)"
    r=$(ratio openbits_https libcurl_https_file)
    ratio_row "HTTPS: openbits (curl) / libcurl loop" "$r   target >= 0.9: $(verdict "$r" 0.9)"
    ratio_row "HTTPS: openbits (WinHTTP) / WinHTTP" "$(ratio openbits_https_winhttp winhttp_https_file)"
    r=$(ratio openbits_winhttp winhttp_file)
    ratio_row "openbits (WinHTTP) / WinHTTP+file" "$r   target >= 0.95: $(verdict "$r")"
    ratio_row "openbits (WinHTTP) / WinHTTP async+file" "$(ratio openbits_winhttp winhttp_async_file)"
    ratio_row "openbits (curl) / Winsock" "$(ratio openbits winsock)"
    ratio_row "WinHTTP / Winsock" "$(ratio winhttp winsock)"
    ratio_row "Winsock (Wine) / curl (native)" "$(ratio winsock curl)"
    ratio_row "libcurl loop (Wine) / curl to a file" "$(ratio libcurl_file curl_file)"
    ratio_row "openbits $readers readers / no readers" "$(ratio openbits_readers openbits)"
    ratio_row "openbits $readers spinning readers / none" "$(ratio openbits_spinners openbits)"
    ratio_row "openbits $readers CPU burners / none" "$(ratio openbits_burners openbits)"
    r=$(ratio openbits_host openbits)
    ratio_row "through the host / in process" "$r   target >= 0.95: $(verdict "$r")"
    readers_line
    readers_line openbits_spinners " spinning (no pause)"
    readers_line openbits_host_readers ", across processes (openbits-host)"
    upload_report
}

upload_report() {
    echo
    echo "openbits loopback upload benchmark: $upload_size bytes" \
         "($(awk -v b="$upload_size" 'BEGIN { printf "%.0f", b / 1048576 }') MiB), fragments: baseline 1 MiB, openbits 1-8 MiB," \
         "median of $repeat round(s)"
    echo
    printf '  %-44s %9s %9s  %s\n' "path" "MiB/s" "seconds" "rounds' MiB/s"
    row "curl, native, BITS_POST fragments (1 MiB)" curl_upload
    row "WinHTTP BITS upload loop (Wine)" winhttp_upload
    row "openbits upload job, curl backend (Wine)" openbits_upload
    row "openbits upload job, WinHTTP backend (Wine)" openbits_upload_winhttp
    echo
    echo "  ratios (throughput / throughput)"
    r=$(ratio openbits_upload curl_upload)
    ratio_row "openbits upload (curl) / native curl" "$r   target >= 0.5: $(verdict "$r" 0.5)"
    ratio_row "openbits upload (curl) / WinHTTP upload" "$(ratio openbits_upload winhttp_upload)"
    ratio_row "openbits upload (WinHTTP) / WinHTTP upload" "$(ratio openbits_upload_winhttp winhttp_upload)"
}

build_all
start_server
make_upload_source
load=$(cut -d' ' -f1-3 /proc/loadavg)
run_all
report
[ -n "${secs[openbits]:-}" ] || die "openbits was not measured (see its error above)"
[ -n "${secs[openbits_readers]:-}" ] || die "openbits with readers was not measured (see its error above)"
[ -n "${secs[openbits_upload]:-}" ] || die "the openbits upload was not measured (see its error above)"
if cat "$tmp/openbits_readers.extra" "$tmp/openbits_spinners.extra" 2>/dev/null | grep -q 'violations=[1-9]\|failures=[1-9]'; then
    die "GetProgress returned inconsistent snapshots or failed"
fi
