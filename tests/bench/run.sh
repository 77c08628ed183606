#!/bin/sh
# make bench: the performance figures of mobway.so, each a ratio against a
# baseline measured in this same run, printed as one table.
#
#   sh tests/bench/run.sh BENCH_MODULE BENCH_RAW MODULE SIM
#
# BENCH_COMMANDS (default 1000000): commands sent for the RSS-growth row.
# BENCH_ROUNDS (default 3): interleaved rounds of module and baseline for
# each throughput row; the medians are compared.
#
# Client and mobway-sim run on the same machine and compete for its CPUs:
# the raw libcurl loop suffers the same, so the ratios stay fair, but the
# absolute rates are the machine's, not the module's.
set -u
BMOD=$1 BRAW=$2 MODULE=$3 SIM_BIN=$4
COMMANDS=${BENCH_COMMANDS:-1000000}
ROUNDS=${BENCH_ROUNDS:-3}
VIN=9BWZZZ377VT004251 CMD=lock_door
ID=demo-client SECRET=demo-secret SIGN=demo-sign-secret
N1=20000    # sends per round, one thread
N2=10000    # sends per thread per round, two threads
NPY=2000    # sends per round for python3 requests
MAXCONN=8

. tests/lib/mobway-sim.sh
. tests/bench/lib.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fleetmod-bench.XXXXXX")
trap 'sim_stop; rm -rf "$TMP"' EXIT INT TERM
ROWS=$TMP/rows
: >"$ROWS"

# A config for the running simulator.
config() {
    printf '[mobway]\nbase_url = %s\nallow_http = true\nclient_id = %s\nclient_secret_file = %s\nsign_secret_file = %s\nmax_connections = %s\n' \
        "$SIM_URL" "$ID" "$TMP/cs" "$TMP/ss" "$MAXCONN" >"$TMP/mobway.conf"
}
printf '%s\n' "$SECRET" >"$TMP/cs"
printf '%s\n' "$SIGN" >"$TMP/ss"
chmod 600 "$TMP/cs" "$TMP/ss"

module() { "$BMOD" "$MODULE" "$TMP/mobway.conf" "$@" || exit 1; }
raw() { "$BRAW" "$SIM_URL" "$1" "$2" "$VIN" "$CMD" "$ID" "$SECRET" "$SIGN" "$3" || exit 1; }

# --------------------------------------------------------- throughput
# throughput THREADS PER_THREAD BODY: median rates of module and raw loop
throughput() {
    : >"$TMP/m" && : >"$TMP/r"
    for _ in $(seq "$ROUNDS"); do
        get rate "$(module send "$1" "$2" "$VIN" "$CMD")" >>"$TMP/m"
        get rate "$(raw "$1" "$2" "$3")" >>"$TMP/r"
    done
    echo "$(median <"$TMP/m") $(median <"$TMP/r")"
}

sim_start "$SIM_BIN" --complete-ms 1000 || exit 1
config
for t in 1 2; do
    n=$N1
    [ "$t" -eq 2 ] && n=$N2
    say "send throughput, $t thread(s), $ROUNDS rounds"
    set -- $(throughput "$t" "$n" read)
    r=$(ratio "$1" "$2")
    row "send/s, $t thread(s), vs raw libcurl loop" "$1" "$2" "$r" ">= 0.90" \
        "$(verdict "$r" '>=' 0.90)"
done
say "send throughput against a raw loop that may resend (POSTFIELDS)"
set -- $(throughput 1 "$N1" fields)
row "send/s, 1 thread, vs raw loop with POSTFIELDS (resendable)" "$1" "$2" \
    "$(ratio "$1" "$2")" "info" "-"

say "python3 requests.Session, $ROUNDS rounds"
: >"$TMP/m" && : >"$TMP/p"
pyrc=0
for _ in $(seq "$ROUNDS"); do
    py=$(python3 "$(dirname "$0")/requests_loop.py" "$SIM_URL" "$NPY" "$VIN" \
        "$CMD" "$ID" "$SECRET" "$SIGN") || { pyrc=$?; break; }
    get rate "$py" >>"$TMP/p"
    get rate "$(module send 1 "$N1" "$VIN" "$CMD")" >>"$TMP/m"
done
case $pyrc in
0)
    m=$(median <"$TMP/m") p=$(median <"$TMP/p")
    r=$(ratio "$m" "$p")
    row "send/s, 1 thread, vs python3 requests.Session" "$m" "$p" "$r" \
        ">= 10" "$(verdict "$r" '>=' 10)"
    ;;
2) row "send/s vs python3 requests.Session" "-" "-" "-" ">= 10" "skipped: ${py#skip: }" ;;
*) exit 1 ;;
esac

# ------------------------------------------------------------ footprint
say "dlopen + init, and dlopen of the module's libraries alone, 5 fresh processes each"
LIBS=$(objdump -p "$MODULE" | awk '$1 == "NEEDED" { print $2 }')
: >"$TMP/i" && : >"$TMP/l"
for _ in 1 2 3 4 5; do
    get init_ms "$(module init)" >>"$TMP/i"
    get libs_ms "$(module libs $LIBS)" >>"$TMP/l"
done
m=$(median <"$TMP/i") b=$(median <"$TMP/l")
row "dlopen + init ms vs dlopen of its libraries alone (medians of 5)" "$m" \
    "$b" "$(ratio "$m" "$b")" "module < 5 ms" "$(verdict "$m" '<' 5)"

say "RSS per instance (50 instances, each warmed by one send)"
m=$(get rss_per_instance_kib "$(module instances 50 "$VIN" "$CMD")")
row "RSS KiB per instance (token and a connection)" "$m" "-" "-" "info" "-"

say "RSS after 10,000 and after $COMMANDS commands"
out=$(module rss 10000 "$COMMANDS" "$VIN" "$CMD")
a=$(get rss1_kib "$out") b=$(get rss2_kib "$out")
d=$((b - a))
row "RSS KiB after $COMMANDS sends vs after 10000 (growth KiB: $d)" "$b" "$a" \
    "$(ratio "$b" "$a")" "growth <= 1024 KiB" "$(verdict "$d" '<=' 1024)"

# ---------------------------------------------------------- instructions
# Callgrind counts instructions: stable on a noisy machine. The module's
# own work per send is everything inside its send entry (mw_send) except
# libcurl's transfer: collection toggles on at mw_send and off again
# inside curl_easy_perform (which holds the syscalls and the HTTP work).
# It includes msgpack decode/encode, validation, signing, headers, the
# JSON answer and the reply. The baseline is what libcurl itself spends
# per request inside curl_easy_perform in the raw loop.
if command -v valgrind >/dev/null 2>&1; then
    say "instructions per send under callgrind"
    NCG=2000
    valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.module" \
        --collect-atstart=no --toggle-collect=mw_send \
        --toggle-collect=curl_easy_perform \
        "$BMOD" "$MODULE" "$TMP/mobway.conf" send 1 $NCG "$VIN" "$CMD" \
        >/dev/null 2>&1 || exit 1
    valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.raw" \
        --collect-atstart=no --toggle-collect=curl_easy_perform \
        "$BRAW" "$SIM_URL" 1 $NCG "$VIN" "$CMD" "$ID" "$SECRET" "$SIGN" read \
        >/dev/null 2>&1 || exit 1
    ir() { awk '/^summary:|^totals:/ { print $2; exit }' "$1"; }
    m=$(($(ir "$TMP/cg.module") / (NCG + 1)))
    b=$(($(ir "$TMP/cg.raw") / (NCG + 2)))
    row "instructions per send: module's own work vs libcurl's per request" \
        "$m" "$b" "$(ratio "$m" "$b")" "info" "-"
else
    row "instructions per send" "-" "-" "-" "info" "skipped: no valgrind"
fi
sim_stop

# ------------------------------------------------------------- batches
say "a 1,000-VIN batch, latency=50 ms, max_connections=$MAXCONN"
awk 'BEGIN { printf "[company demo]\nclient_id = demo-client\nclient_secret = demo-secret\nsign_secret = demo-sign-secret\n";
    for (i = 1; i <= 1000; i++) printf "[vehicle BENCH%012d]\ncompany = demo\ncommands = lock_door\n", i }' \
    >"$TMP/fleet.ini"
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "BENCH%012d\n", i }' >"$TMP/vins"
sim_start "$SIM_BIN" --fixtures "$TMP/fleet.ini" --fault latency=50 || exit 1
config
m=$(get ms "$(module batch "$TMP/vins" "$CMD")")
bound=$(((1000 + MAXCONN - 1) / MAXCONN * 50))
r=$(ratio "$m" "$bound")
row "1000-VIN batch ms vs ceil(1000/$MAXCONN) x 50 ms" "$m" "$bound" "$r" \
    "<= 1.25" "$(verdict "$r" '<=' 1.25)"
sim_stop

# Every command already succeeded: each status answer carries its detail,
# the most a watched fleet can weigh.
say "10,000 ids watched by one status call"
sim_start "$SIM_BIN" --complete-ms 0 || exit 1
config
out=$(module watch 10000 "$VIN" "$CMD")
ms=$(get ms "$out") kib=$(get peak_rss_kib "$out")
row "10000-id status batch, 1 thread: peak RSS KiB (wall $ms ms)" "$kib" \
    "65536" "$(ratio "$kib" 65536)" "< 1.00" "$(verdict "$kib" '<' 65536)"
sim_stop

# --------------------------------------------------------------- table
table "mobway.so benchmarks" module
echo "instructions: callgrind, 2000 sends; the module's own work is mw_send"
echo "inclusive minus curl_easy_perform inclusive (--toggle-collect on both);"
echo "the baseline is curl_easy_perform inclusive per request of the raw loop."
echo
verdicts
