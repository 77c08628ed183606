#!/bin/sh
# mobway.so against mobway-sim: plain HTTP, HTTPS with a throwaway CA
# (ca_file), and a short token and code lifetime.
#
#   sh tests/mobway/run.sh HARNESS MODULE SIM CONFORMANCE
#
# Every suite runs once plainly and the HTTPS one also under valgrind
# memcheck (any error or definite leak fails it); CONFORMANCE, the
# contract's conformance tool, runs against the HTTP simulator.
# Closes with "N passed, N failed" summed over the runs.
set -u
HARNESS=$1 MODULE=$2 SIM_BIN=$3 CONFORMANCE=$4
# MEMCHECK as make exports it (empty under SANITIZE: valgrind cannot run a
# sanitizer build); valgrind when run by hand.
VALGRIND=${MEMCHECK-"valgrind -q --error-exitcode=99 --leak-check=full
 --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"}
. tests/lib/mobway-sim.sh

FIX=tests/mobway/fixtures.ini
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mobway-it.XXXXXX")
trap 'sim_stop; rm -rf "$TMP"' EXIT INT TERM
total_pass=0
total_fail=0

# Runs a command (closing with "N passed, N failed") and adds its counts
# to the totals; a non-zero exit without failures (valgrind) counts one.
count() {
    echo "== $*"
    "$@" >"$TMP/out" 2>&1
    rc=$?
    cat "$TMP/out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/out" | tail -n 1)
    if [ -z "$line" ]; then
        total_fail=$((total_fail + 1))
        return
    fi
    total_pass=$((total_pass + ${line%% passed*}))
    f=${line#*passed, }
    total_fail=$((total_fail + ${f%% failed}))
    [ "$rc" -ne 0 ] && [ "${f%% failed}" -eq 0 ] && total_fail=$((total_fail + 1))
    return 0
}

# The harness on suite SUITE against the running simulator.
run() {
    count "$@" "$HARNESS" "$MODULE" "$SIM_URL" $SUITE $CA
}

# The contract's conformance tool with a config for the running simulator.
conformance() {
    if [ ! -x "$CONFORMANCE" ]; then
        echo "conformance skipped: $CONFORMANCE is not built"
        return
    fi
    printf 'demo-secret\n' >"$TMP/cs"
    printf 'demo-sign-secret\n' >"$TMP/ss"
    chmod 600 "$TMP/cs" "$TMP/ss"
    printf '[mobway]\nbase_url = %s\nallow_http = true\nclient_id = demo-client\nclient_secret_file = %s\nsign_secret_file = %s\n' \
        "$SIM_URL" "$TMP/cs" "$TMP/ss" >"$TMP/conformance.conf"
    count "$CONFORMANCE" --vin 6AHFT68CKAF501652 --command location \
        "$MODULE" "$TMP/conformance.conf"
}

# A CA and a certificate for 127.0.0.1 it signed.
make_ca() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=fleetmod test CA" \
        -keyout "$TMP/ca.key" -out "$TMP/ca.pem" 2>/dev/null &&
    openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
        -keyout "$TMP/server.key" -out "$TMP/server.csr" 2>/dev/null &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' \
        >"$TMP/server.ext" &&
    openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" \
        -CAcreateserial -days 2 -extfile "$TMP/server.ext" -out "$TMP/server.pem" 2>/dev/null
}

SUITE=main CA=
sim_start "$SIM_BIN" --fixtures "$FIX" --complete-ms 150 || exit 1
run
conformance
sim_stop

if make_ca; then
    CA=$TMP/ca.pem
    sim_start "$SIM_BIN" --fixtures "$FIX" --complete-ms 150 \
        --cert "$TMP/server.pem" --key "$TMP/server.key" || exit 1
    run
    if [ -n "$VALGRIND" ]; then
        # a call's timeout covers its token and its command; under valgrind
        # on a busy machine, TLS handshakes alone can take seconds
        MOBWAY_IT_TIMEOUT_MS=15000
        export MOBWAY_IT_TIMEOUT_MS
        run $VALGRIND
        unset MOBWAY_IT_TIMEOUT_MS
    else
        echo "memcheck run skipped: MEMCHECK is empty (a sanitizer build checks memory itself)"
    fi
    sim_stop
else
    echo "could not make a test CA with openssl"
    total_fail=$((total_fail + 1))
fi

SUITE=expiry CA=
sim_start "$SIM_BIN" --fixtures "$FIX" --complete-ms 150 --token-ttl 2 --code-ttl 1 || exit 1
run
sim_stop

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
