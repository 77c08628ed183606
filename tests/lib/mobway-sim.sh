# Shell functions for tests that need a running mobway-sim (POSIX sh; source
# it). Every simulator gets a free loopback port and its own temp dir.
#
#   . tests/lib/mobway-sim.sh
#   sim_start build/bin/mobway-sim [--complete-ms 100 ...]
#   curl "$SIM_URL/_sim/stats"
#   sim_stop                # SIGTERM, wait; returns the simulator's status
#
# sim_start sets SIM_PID, SIM_PORT, SIM_URL (https:// when --cert is among
# the arguments) and SIM_DIR; it fails if no port is written within 10 s.

sim_start() {
    _sim_bin=$1
    shift
    SIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mobway-sim.XXXXXX")
    _sim_scheme=http
    for _sim_arg in "$@"; do
        [ "$_sim_arg" = --cert ] && _sim_scheme=https
    done
    "$_sim_bin" --host 127.0.0.1 --port 0 --port-file "$SIM_DIR/port" \
        --quiet "$@" &
    SIM_PID=$!
    _sim_tries=0
    while [ ! -s "$SIM_DIR/port" ]; do
        if ! kill -0 "$SIM_PID" 2>/dev/null || [ "$_sim_tries" -ge 100 ]; then
            echo "sim_start: $_sim_bin did not start listening within 10 s" >&2
            kill "$SIM_PID" 2>/dev/null
            rm -rf "$SIM_DIR"
            return 1
        fi
        sleep 0.1
        _sim_tries=$((_sim_tries + 1))
    done
    SIM_PORT=$(cat "$SIM_DIR/port")
    SIM_URL="$_sim_scheme://127.0.0.1:$SIM_PORT"
    export SIM_PID SIM_PORT SIM_URL SIM_DIR
}

sim_stop() {
    [ -n "${SIM_PID:-}" ] || return 0
    kill -TERM "$SIM_PID" 2>/dev/null
    _sim_status=0
    wait "$SIM_PID" || _sim_status=$?
    rm -rf "$SIM_DIR"
    SIM_PID=
    return "$_sim_status"
}
