#!/bin/sh
# Throughput of mobway-sim: signed POST /vehicle-command requests over
# keep-alive connections from wrk (2 threads, 64 connections, 10 s) on
# loopback. The simulator must out-run the clients it benchmarks; the goal
# is 20,000 requests/s on a 2-core machine.
#
#   sh tests/bench/sim_throughput.sh build/bin/mobway-sim [SECONDS]
set -eu

BIN=${1:?usage: sim_throughput.sh MOBWAY_SIM [SECONDS]}
SECONDS_=${2:-10}
GOAL=20000
HERE=$(dirname "$0")

if ! command -v wrk >/dev/null 2>&1; then
    echo "sim_throughput: skipped: wrk is not installed (apt-get install wrk)"
    exit 0
fi

. "$HERE/../lib/mobway-sim.sh"
sim_start "$BIN"
trap sim_stop EXIT

SIM_TOKEN=$(curl -sf -d client_id=demo-client -d client_secret=demo-secret \
    "$SIM_URL/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
SIM_SIGNATURE=$(python3 -c '
import hashlib, hmac, json
body = json.dumps({"vin": "9BWZZZ377VT004251", "command": "lock_door"},
                  separators=(",", ":"), sort_keys=True)
print(hmac.new(b"demo-sign-secret", body.encode(), hashlib.sha256).hexdigest())')
export SIM_TOKEN SIM_SIGNATURE

OUT=$(wrk -t2 -c64 -d"${SECONDS_}s" -s "$HERE/sim_throughput.lua" "$SIM_URL")
echo "$OUT"
RPS=$(echo "$OUT" | awk '/^Requests\/sec:/ { printf "%d", $2 }')
BAD=$(echo "$OUT" | awk '/^non-2xx\/3xx:/ { print $2 }')
REGISTERED=$(curl -sf "$SIM_URL/_sim/stats" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["commands_registered"])')

echo "sim_throughput: ${RPS} requests/s, ${BAD} non-2xx answers," \
    "${REGISTERED} commands registered"
if [ "${RPS:-0}" -ge "$GOAL" ] && [ "${BAD:-1}" -eq 0 ]; then
    echo "sim_throughput: meets the goal of ${GOAL} requests/s"
else
    echo "sim_throughput: BELOW the goal of ${GOAL} requests/s (or errors)"
    exit 1
fi
