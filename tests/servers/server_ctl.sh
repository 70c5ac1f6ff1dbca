#!/usr/bin/env bash
# Starts and stops a loopback test server in the background, for CTest fixtures.
#
#   server_ctl.sh start <state-dir> <server-script> [args...]
#   server_ctl.sh stop  <state-dir>
#
# The server script must accept "--port-file PATH" and write its port there
# (atomically) once it listens; a *.py script is run with $PYTHON (default
# python3), anything else is executed directly.  Extra args are passed on.
#
# <state-dir> gets: server.port (the port), server.pid, server.log (the
# server's stdout and stderr).  The server runs in its own session (setsid)
# with stdin from /dev/null and no inherited CTest pipes, so a fixture test
# that starts it returns at once.  Both commands are idempotent: start does
# nothing if the server recorded in <state-dir> is running, stop succeeds if
# nothing is running.  Exit status 0 on success, 1 on failure, 2 on misuse.
set -u

usage() {
    echo "usage: $0 start <state-dir> <server-script> [args...]" >&2
    echo "       $0 stop <state-dir>" >&2
    exit 2
}

# True if process $1 exists and is not a zombie (an exited server waits as a
# zombie until init reaps it, which can take a second or more).
alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    if [ -r "/proc/$1/stat" ]; then
        state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
        [ "$state" != Z ] || return 1
    fi
    return 0
}

# True if the pid in $pidfile is alive and is the server for this state dir
# (its command line names our port file), so a recycled pid is never touched.
running() {
    local pid
    [ -f "$pidfile" ] || return 1
    pid=$(cat "$pidfile" 2>/dev/null) || return 1
    case "$pid" in ''|*[!0-9]*) return 1 ;; esac
    alive "$pid" || return 1
    if [ -r "/proc/$pid/cmdline" ]; then
        tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "$portfile" || return 1
    fi
    return 0
}

# Sends a signal to the server and its process group (it is a session
# leader, so pgid = pid), then waits up to $2 tenths of a second for it to go.
signal_and_wait() {
    local signal=$1 tenths=$2 pid i
    pid=$(cat "$pidfile")
    kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid" 2>/dev/null
    for i in $(seq "$tenths"); do
        alive "$pid" || return 0
        sleep 0.1
    done
    return 1
}

# Kill the recorded server: TERM, then KILL after 3 s.
kill_server() {
    signal_and_wait TERM 30 && return 0
    echo "server_ctl: pid $(cat "$pidfile") ignored SIGTERM, sending SIGKILL" >&2
    signal_and_wait KILL 20 && return 0
    echo "server_ctl: pid $(cat "$pidfile") still alive after SIGKILL" >&2
    return 1
}

[ $# -ge 2 ] || usage
cmd=$1
statedir=$2
shift 2
[ -n "$statedir" ] || usage
case "$cmd" in start|stop) ;; *) usage ;; esac
mkdir -p "$statedir" || exit 1
statedir=$(cd "$statedir" && pwd) || exit 1
pidfile=$statedir/server.pid
portfile=$statedir/server.port
logfile=$statedir/server.log

case "$cmd" in
start)
    [ $# -ge 1 ] || usage
    script=$1
    shift
    [ -f "$script" ] || { echo "server_ctl: no such script: $script" >&2; exit 1; }
    if running && [ -s "$portfile" ]; then
        echo "server_ctl: already running (pid $(cat "$pidfile"), port $(cat "$portfile"))"
        exit 0
    fi
    if running; then
        kill_server          # alive but never wrote its port: start afresh
    fi
    rm -f "$pidfile" "$portfile"
    case "$script" in
        *.py) launcher=("${PYTHON:-python3}" "$script") ;;
        *) launcher=("$script") ;;
    esac
    # The inner shell records its own pid (setsid may fork first) and then
    # execs the server, so the recorded pid is the server's.
    setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" \
        "${launcher[@]}" --port-file "$portfile" "$@" \
        </dev/null >"$logfile" 2>&1 &
    for i in $(seq 100); do                 # up to 10 s
        if [ -s "$portfile" ] && [ -s "$pidfile" ]; then
            echo "server_ctl: started pid $(cat "$pidfile") on port $(cat "$portfile")"
            exit 0
        fi
        if [ -s "$pidfile" ] && ! alive "$(cat "$pidfile")"; then
            echo "server_ctl: server exited during start-up; its log:" >&2
            cat "$logfile" >&2
            rm -f "$pidfile"
            exit 1
        fi
        sleep 0.1
    done
    echo "server_ctl: no port file after 10 s; its log:" >&2
    cat "$logfile" >&2
    if [ -s "$pidfile" ]; then
        kill_server
    fi
    rm -f "$pidfile" "$portfile"
    exit 1
    ;;
stop)
    rc=0
    if running; then
        kill_server || rc=1
        [ $rc -eq 0 ] && echo "server_ctl: stopped pid $(cat "$pidfile")"
    fi
    [ $rc -eq 0 ] && rm -f "$pidfile" "$portfile"
    exit $rc
    ;;
esac
