#!/usr/bin/env bash
# The native-curl baseline for uploads: the BITS Upload Protocol driven by
# curl on the host, the same packets openbits sends ([MC-BUP]): BITS_POST
# Create-Session, then Fragments of FRAGMENT bytes with Content-Range, then
# Close-Session, all on one connection (one curl process, --next between the
# requests, no Expect: 100-continue).
#
#   bits_post_curl.sh <upload-url> <local-file> [fragment-bytes]   (default 1 MiB)
#
# Prints "result curl_upload bytes=N seconds=S mib_per_s=R" (the clock runs
# from Create-Session to the Close-Session Ack, as bench_upload_winhttp's).
# The fragments are cut into a temporary directory before the clock starts,
# since curl sends a file from its start only.
set -euo pipefail
url=$1 source=$2 fragment=${3:-1048576}
protocol='{7df0354d-249b-430f-820d-3d2a9bef4931}'
size=$(stat -c %s "$source")
[ "$size" -gt 0 ] || { echo "bits_post_curl: $source is empty" >&2; exit 1; }
tmp=$(mktemp -d /tmp/bits-post-curl.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
split -b "$fragment" -d -a 6 "$source" "$tmp/fragment."

# One curl config holding every request after Create-Session.
config() {
    local offset=0 part n first=1
    for part in "$tmp"/fragment.*; do
        n=$((size - offset < fragment ? size - offset : fragment))
        [ $first = 1 ] || echo next
        first=0
        printf 'url = "%s"\nrequest = BITS_POST\nheader = "BITS-Packet-Type: Fragment"\n' "$url"
        printf 'header = "BITS-Session-Id: %s"\nheader = "Content-Range: bytes %d-%d/%d"\n' \
            "@SESSION@" "$offset" $((offset + n - 1)) "$size"
        printf 'header = "Expect:"\nheader = "Content-Type:"\ndata-binary = "@%s"\n' "$part"
        printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
        offset=$((offset + n))
    done
    printf 'next\nurl = "%s"\nrequest = BITS_POST\nheader = "BITS-Packet-Type: Close-Session"\n' "$url"
    printf 'header = "BITS-Session-Id: @SESSION@"\nheader = "Content-Length: 0"\noutput = "/dev/null"\n'
    printf 'write-out = "%%{http_code}\\n"\n'
}

config >"$tmp/config.in"
start=$(date +%s.%N)
session=$(curl -sS -X BITS_POST -H 'BITS-Packet-Type: Create-Session' \
    -H "BITS-Supported-Protocols: $protocol" -H 'Content-Length: 0' -D - -o /dev/null "$url" \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "bits-session-id" { print $2 }')
[ -n "$session" ] || { echo "bits_post_curl: Create-Session got no BITS-Session-Id" >&2; exit 1; }
sed "s/@SESSION@/$session/" "$tmp/config.in" >"$tmp/config"
codes=$(curl -sS -K "$tmp/config")
end=$(date +%s.%N)
bad=$(echo "$codes" | grep -cv '^200$' || true)
[ "$bad" = 0 ] || { echo "bits_post_curl: $bad request(s) not answered 200: $(echo "$codes" | sort | uniq -c | tr '\n' ' ')" >&2; exit 1; }
awk -v b="$size" -v s="$(echo "$end - $start" | bc)" \
    'BEGIN { printf "result curl_upload bytes=%d seconds=%.6f mib_per_s=%.2f\n", b, s, b / 1048576 / s }'
