#!/bin/sh
# Guarded against unguarded single sends, on SQLite and on PostgreSQL (a
# throwaway cluster on a unix socket), against mobway-sim.
#
#   sh tests/pg/bench.sh BENCH_GUARD MOBWAY_SO SIM JOURNAL_PG_SO [SENDS ROUNDS LATENCY_MS]
set -u
BENCH=$1 MOBWAY=$2 SIM_BIN=$3 JPG=$4 SENDS=${5:-500} ROUNDS=${6:-5} LAT=${7:-0}
. tests/lib/mobway-sim.sh
. tests/pg/pg-cluster.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-guard-pg.XXXXXX")
trap 'sim_stop; pg_stop; rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

# Durable commits on both sides: SQLite's synchronous=FULL, PostgreSQL's
# fsync (the tests' clusters run without it).
PG_FSYNC=on pg_start || exit 1
sim_start "$SIM_BIN" --complete-ms 600000 --fault "latency=$LAT" || exit 1
printf 'demo-secret\n' >"$TMP/client_secret"
printf 'demo-sign-secret\n' >"$TMP/sign_secret"
chmod 600 "$TMP/client_secret" "$TMP/sign_secret"
cat >"$TMP/mobway.conf" <<EOC
[mobway]
base_url = $SIM_URL
allow_http = true
client_id = demo-client
client_secret_file = $TMP/client_secret
sign_secret_file = $TMP/sign_secret
EOC
printf '[journal]\nurl = sqlite:%s\nhost_id = bench\n' "$TMP/journal.db" \
    >"$TMP/sqlite.conf"
printf '[journal]\nurl = %s\nhost_id = bench\n' "$PG_URL" >"$TMP/pg.conf"
echo "bench_guard: $SENDS sends x $ROUNDS rounds, sim latency $LAT ms, $(nproc) cores"
FLEETMOD_MODULE_PATH=$(dirname "$JPG") "$BENCH" "$MOBWAY" "$TMP/mobway.conf" \
    "$TMP/sqlite.conf" "$TMP/pg.conf" "$SENDS" "$ROUNDS"
