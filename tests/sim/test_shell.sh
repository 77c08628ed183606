#!/bin/sh
# The shell library (tests/lib/mobway-sim.sh) and the connection-closing
# faults as curl sees them: an empty reply (curl exit 52), with the command
# registered and executed for reset-after and not for reset-before.
#
#   sh tests/sim/test_shell.sh build/bin/mobway-sim
set -u

BIN=${1:?usage: test_shell.sh MOBWAY_SIM}
. "$(dirname "$0")/../lib/mobway-sim.sh"

passed=0
failed=0
check() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $1: got '$2', want '$3'"
    fi
}
json_field() { # KEY: reads JSON on stdin
    python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

VIN=9BWZZZ377VT004251
SIG=$(python3 -c '
import hashlib, hmac, json
body = json.dumps({"vin": "9BWZZZ377VT004251", "command": "unlock_door"},
                  separators=(",", ":"), sort_keys=True)
print(hmac.new(b"demo-sign-secret", body.encode(), hashlib.sha256).hexdigest())')

if ! sim_start "$BIN" --fault reset-after=100; then
    echo "0 passed, 1 failed"
    exit 1
fi
check "sim_start sets SIM_URL" "$SIM_URL" "http://127.0.0.1:$SIM_PORT"

TOKEN=$(curl -sf -d username=demo-client -d password=demo-secret \
    "$SIM_URL/token" | json_field token)
post() {
    curl -sS -o /dev/null -H "Authorization: Bearer $TOKEN" \
        -H "X-Signature: $SIG" -H 'Content-Type: application/json' \
        -d "{\"vin\":\"$VIN\",\"command\":\"unlock_door\"}" \
        "$SIM_URL/vehicle-command" 2>/dev/null
    echo $?
}
stat() { curl -sf "$SIM_URL/_sim/stats" | json_field "$1"; }

check "reset-after: curl exit 52 (empty reply)" "$(post)" 52
check "reset-after: registered" "$(stat commands_registered)" 1
check "reset-after: executed once" "$(stat max_executions)" 1

curl -sf -d '{"clear":true,"reset-before":100}' "$SIM_URL/_sim/faults" >/dev/null
check "reset-before: curl exit 52 (empty reply)" "$(post)" 52
check "reset-before: nothing registered" "$(stat commands_registered)" 1

curl -sf -d '{"clear":true}' "$SIM_URL/_sim/faults" >/dev/null
check "no fault: curl exit 0" "$(post)" 0
check "no fault: registered" "$(stat commands_registered)" 2

sim_stop
check "sim_stop: exit status 0" "$?" 0
check "sim_stop: temp dir removed" "$(test -e "$SIM_DIR" && echo yes || echo no)" no

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
