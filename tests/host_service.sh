#!/usr/bin/env bash
# openbits-host /service under Wine's service manager: installed with sc,
# started (RUNNING), stopped with its Stop control (STOPPED, exit code 0),
# deleted.  The idle period is raised for the run so that only Stop ends it.
#   host_service.sh <wine-run.sh> <openbits-host.exe, Wine path>
set -u
run=$1 exe=$2 name=OpenBitsHostServiceTest
fail() { echo "host_service: $*" >&2; "$run" sc stop $name >/dev/null 2>&1; "$run" sc delete $name >/dev/null 2>&1;
         "$run" reg add 'HKLM\Software\OpenBits' /v HostIdleSeconds /t REG_DWORD /d 2 /f >/dev/null; exit 1; }
state() { "$run" sc query $name | tr -d '\r' | awk '/STATE/ { print $4 }'; }
wait_state() {
    local i
    for i in $(seq 1 100); do [ "$(state)" = "$1" ] && return 0; sleep 0.2; done
    return 1
}
"$run" "$exe" /stop >/dev/null 2>&1
"$run" reg add 'HKLM\Software\OpenBits' /v HostIdleSeconds /t REG_DWORD /d 120 /f >/dev/null || fail "reg add"
"$run" sc create $name binpath= "$exe /service" start= demand >/dev/null || fail "sc create"
"$run" sc start $name >/dev/null || fail "sc start"
wait_state RUNNING || fail "not RUNNING after sc start: $("$run" sc query $name)"
"$run" sc stop $name >/dev/null || fail "sc stop"
wait_state STOPPED || fail "not STOPPED after sc stop: $("$run" sc query $name)"
"$run" sc query $name | tr -d '\r' | grep -q 'WIN32_EXIT_CODE *: 0 ' || fail "exit code: $("$run" sc query $name)"
"$run" sc delete $name >/dev/null || fail "sc delete"
"$run" reg add 'HKLM\Software\OpenBits' /v HostIdleSeconds /t REG_DWORD /d 2 /f >/dev/null
echo "host_service: RUNNING after sc start, STOPPED (exit 0) after sc stop"
