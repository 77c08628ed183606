#!/bin/sh
# minimal-host against the skeleton provider: a command accepted, one that
# asks for confirmation, one denied, a module that cannot be loaded; the
# first once more under memcheck.
#
#   sh examples/minimal-host/check.sh MINIMAL_HOST SKELETON_SO SKELETON_CONF
set -u

[ $# -eq 3 ] || { echo "usage: sh $0 MINIMAL_HOST SKELETON_SO SKELETON_CONF" >&2; exit 64; }
host=$1 module=$2 conf=$3
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
    failed=$((failed + 1))
    echo "not ok - $1: $2"
    sed 's/^/#   /' "$tmp/out" "$tmp/err"
}

# run NAME EXIT PYTHON-ASSERTION VIN COMMAND [MODULE]: minimal-host must
# exit EXIT, print one line of JSON for which the python3 expression on
# `r` is true (skipped when empty), and write nothing else to stdout.
run() {
    name=$1 want=$2 expr=$3 run_vin=$4 run_cmd=$5 run_mod=${6:-$module}
    ${PREFIX_CMD:-} "$host" "$run_mod" "$conf" "$run_vin" "$run_cmd" \
        >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        not_ok "$name" "exit $got, expected $want"
        return
    fi
    if [ -n "$expr" ] && ! python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, "not one line"
r = json.loads(lines[0])
assert eval(sys.argv[2]), sys.argv[2]
' "$tmp/out" "$expr" 2>>"$tmp/err"; then
        not_ok "$name" "reply does not satisfy: $expr"
        return
    fi
    ok "$name"
}

vin=WP0ZZZ99ZTS392124
run "location is accepted: pending, id, vin echoed" 0 \
    'r["provider"] == "skeleton" and r["status"] == "pending" and r["terminal"] is False and len(r["id"]) == 36 and r["vin"] == "'$vin'" and isinstance(r["created"], int)' \
    $vin location
run "disable_ignition asks for confirmation with a 6-digit code" 0 \
    'r["status"] == "confirmation" and len(r["code"]) == 6 and r["code"].isdigit() and r["message"]' \
    $vin disable_ignition
run "a command the vehicle lacks is denied (exit 1, EDENIED)" 1 \
    'r["status"] == "failed" and r["terminal"] is True and r["error"]["name"] == "EDENIED" and r["error"]["code"] == 4' \
    ZFA25000002345678 lock_door
if grep -q 'EDENIED: ' "$tmp/err"; then ok "the error is also said on stderr"; else not_ok "the error is also said on stderr" "no EDENIED line"; fi
run "a malformed VIN is EINVAL (exit 1)" 1 \
    'r["error"]["name"] == "EINVAL"' NOT-A-VIN location
run "a module that does not exist: exit 2, nothing on stdout" 2 '' \
    $vin location "$tmp/missing.so"
if [ -s "$tmp/out" ] || [ ! -s "$tmp/err" ]; then
    not_ok "the loader's error goes to stderr only" "stdout not empty or stderr empty"
else
    ok "the loader's error goes to stderr only"
fi

if [ -n "${MEMCHECK:-}" ]; then
    PREFIX_CMD=$MEMCHECK
    run "location under memcheck" 0 'r["status"] == "pending"' $vin location
    PREFIX_CMD=
else
    echo "# skipped: memcheck run (MEMCHECK is empty: a sanitizer build checks memory itself)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
