#!/usr/bin/env bash
# A crash of openbits-host loses no job (issue 11): a download runs in the
# host; the host is killed with SIGKILL at three points of the transfer
# (nothing of it runs after); Wine is restarted as a machine reboots (wineserver -k: its RpcSs
# would otherwise go on handing clients the dead host's class object); then
# a new client finds the job, restored from the store with what it had, and
# completes it with a byte-exact file.
# Then the clean end: `openbits-host /stop` mid-transfer saves every job as
# it is, so the next host continues from at least the bytes seen before the
# stop (not from the last 2-second save).
#   host_crash.sh <wine-run.sh> <prefix> <host_client.exe> <port file> <dir> <openbits-host.exe> <store dir>
set -u
run=$1 prefix=$2 client=$3 port_file=$4 dir=$5 host=$6 store=$7
size=4000000
fail() { echo "host_crash: $*" >&2; exit 1; }

# The host of this prefix only (other build trees may run theirs).
host_pids() {
    local p
    for p in $(pgrep -f 'openbits-host\.exe'); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "WINEPREFIX=$prefix" && echo "$p"
    done
}

rm -rf "$dir" && mkdir -p "$dir" || fail "mkdir $dir"
local_wine="Z:$(echo "$dir/crash.bin" | tr / '\\')"
url="http://127.0.0.1:$(cat "$port_file")/data/$size?rate=300000&tag=crashloop"
server_log=$(dirname "$port_file")/requests.log
log_start=$(($(wc -l <"$server_log" 2>/dev/null || echo 0) + 1)) # this run's requests only

id=$("$run" "$client" create "$url" "$local_wine" | tr -d '\r') || fail "create: $id"
[ -n "$id" ] || fail "no job id"

# bytes the job shows now (it also starts the host, after a crash)
shown() {
    line=$("$run" "$client" show "$id" | tr -d '\r') || fail "the job is gone: $line"
    case $line in "created by host_client|"*) ;; *) fail "not the same job: $line" ;; esac
    echo "${line##*|}"
}

# The host is killed at three points of the one transfer, each 300000
# bytes past where the job came back; each time Wine restarts and the job
# goes on from what the store saved.
restored=0 kills=""
for _kill in 1 2 3; do
    point=$((restored + 300000))
    bytes=0
    for _ in $(seq 1 300); do
        bytes=$(shown) || exit 1
        [ "$bytes" -ge $point ] && break
        sleep 0.1
    done
    [ "$bytes" -ge $point ] && [ "$bytes" -lt $size ] || fail "not mid-transfer at $point: $bytes"
    sleep 2.5 # one bounded-rate save of progress (every 2 s)
    pids=$(host_pids)
    [ -n "$pids" ] || fail "no openbits-host running in $prefix"
    kill -9 $pids
    for _ in $(seq 1 50); do [ -z "$(host_pids)" ] && break; sleep 0.1; done
    [ -z "$(host_pids)" ] || fail "the host survived SIGKILL"
    WINEPREFIX=$prefix wineserver -k
    WINEPREFIX=$prefix wineserver -w
    after=$(shown) || exit 1
    [ "$after" -gt "$restored" ] || fail "restored at $after bytes after the kill at $bytes (before: $restored)"
    restored=$after
    kills="$kills $bytes->$after"
done
out=$("$run" "$client" finish "$id" "$local_wine" $size | tr -d '\r') || fail "finish: $out"
[ "$out" = complete ] || fail "finish: $out"
# the server saw the transfer resumed with ranges, and no temporary file is left
resumes=$(tail -n +$log_start "$server_log" | grep -c "GET /data/$size?rate=300000&tag=crashloop .* range='bytes=[1-9]" || true)
[ "$resumes" -ge 2 ] || fail "only $resumes ranged resumes in $server_log: $(tail -n +$log_start "$server_log" | grep crashloop)"
ls "$dir"/BIT*.tmp >/dev/null 2>&1 && fail "temporary files left: $(ls "$dir"/BIT*.tmp)"
echo "host_crash: killed 3 times (bytes seen -> restored:$kills), $resumes ranged resumes, completed byte-exact ($size bytes), no temporary file left"

local2="Z:$(echo "$dir/stopped.bin" | tr / '\\')"
id=$("$run" "$client" create "$url" "$local2" | tr -d '\r') || fail "create: $id"
seen=0
for _ in $(seq 1 150); do
    line=$("$run" "$client" show "$id" | tr -d '\r') || fail "show: $line"
    seen=${line##*|}
    [ "$seen" -ge 400000 ] && break
    sleep 0.1
done
[ "$seen" -ge 400000 ] && [ "$seen" -lt $size ] || fail "not mid-transfer: $line"
"$run" "$host" /stop >/dev/null 2>&1
for _ in $(seq 1 100); do [ -z "$(host_pids)" ] && break; sleep 0.1; done
[ -z "$(host_pids)" ] || fail "the host did not stop"
# what the store holds for the job now, before any host reads it
saved=$(grep -a '^Transferred=' "$store/$id.job" 2>/dev/null | tail -1 | cut -d= -f2)
[ -n "$saved" ] || fail "no record of $id in $store"
[ "$saved" -ge "$seen" ] || fail "the store has $saved bytes, fewer than the $seen seen before /stop"
line=$("$run" "$client" show "$id" | tr -d '\r') || fail "the job is gone after /stop: $line"
again=${line##*|}
[ "$again" -ge "$saved" ] || fail "restored at $again bytes, fewer than the $saved saved"
out=$("$run" "$client" finish "$id" "$local2" $size | tr -d '\r') || fail "finish: $out"
[ "$out" = complete ] || fail "finish: $out"
echo "host_crash: stopped at >= $seen bytes, saved $saved, restored at $again, completed byte-exact"
