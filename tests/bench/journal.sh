#!/bin/sh
# make bench-journal: what the journal and its guards cost
# (fleetmod-policy(5); the figures the 1.1 design set), each figure beside a baseline
# measured in this same run, printed as one table.
#
#   sh tests/bench/journal.sh JTOOL BENCH_GUARD MODULE SIM FLEETCMD JOURNAL_PG_SO
#
# JTOOL (tests/journal/jtool.c) is a C host of the guard; its policy
# "none" makes the same calls straight to the stack: the unguarded
# baseline. BENCH_GUARD (tests/pg/bench_guard.c) times single sends
# unguarded, on SQLite and on PostgreSQL. Every guarded round gets a fresh
# journal, so that no round finds an earlier one's rows.
#
# BENCH_ROUNDS (default 3): interleaved rounds of guarded and unguarded
# runs; the medians are compared.
# BENCH_STATS_ROWS (default 1000000): commands in the journal that
# `fleetcmd journal stats` reads.
set -u
JTOOL=$1 BGUARD=$2 MODULE=$3 SIM_BIN=$4 FLEETCMD=$5 JPG=$6
ROUNDS=${BENCH_ROUNDS:-3}
STATS_ROWS=${BENCH_STATS_ROWS:-1000000}
MAXCONN=8
NVINS=1000   # the batch
THREADS=8 PER_THREAD=50 NSEND_VINS=16  # the single sends
RACE=500     # sends per process in the race
GUARD_SENDS=500 GUARD_ROUNDS=5  # bench_guard, sim latency 0

# libfleetmod finds journal_pg.so on demand in FLEETMOD_MODULE_PATH.
FLEETMOD_MODULE_PATH=$(dirname "$JPG")
export FLEETMOD_MODULE_PATH

. tests/lib/mobway-sim.sh
. tests/pg/pg-cluster.sh
. tests/bench/lib.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fleetmod-bench-journal.XXXXXX")
trap 'sim_stop; pg_stop; rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM
ROWS=$TMP/rows
: >"$ROWS"

printf 'demo-secret\n' >"$TMP/cs"
printf 'demo-sign-secret\n' >"$TMP/ss"
chmod 600 "$TMP/cs" "$TMP/ss"

# A config for the running simulator.
config() {
    printf '[mobway]\nbase_url = %s\nallow_http = true\nclient_id = demo-client\nclient_secret_file = %s\nsign_secret_file = %s\nmax_connections = %s\n' \
        "$SIM_URL" "$TMP/cs" "$TMP/ss" "$MAXCONN" >"$TMP/mobway.conf"
}

# policy FILE URL HOST_ID [EXTRA]: a policy journaling into URL.
policy() { printf '[journal]\nurl = %s\nhost_id = %s\n\n%b' "$2" "$3" "${4:-}" >"$1"; }

# jt POLICY ARGS...: one jtool run; its stdout in $TMP/out, its stderr in
# $TMP/err; fails the bench when jtool does.
jt() {
    _jt_policy=$1
    shift
    "$JTOOL" "$_jt_policy" "$MODULE" "$TMP/mobway.conf" "$@" >"$TMP/out" \
        2>"$TMP/err" && return 0
    say "jtool $* failed:"
    tail -n 5 "$TMP/err" >&2
    exit 1
}
# The call's duration that jtool wrote to stderr.
elapsed() { sed -n 's/^elapsed_ms //p' "$TMP/err" | tail -n 1; }

# The POSTs to /vehicle-command the running simulator has answered.
sim_sends() {
    curl -fsS "$SIM_URL/_sim/stats" | python3 -c 'import json, sys
print(sum(json.load(sys.stdin)["requests"].get("POST /vehicle-command", {}).values()))'
}

# Bytes of an SQLite journal: the database and its write-ahead log.
db_bytes() { cat "$1" "$1-wal" 2>/dev/null | wc -c; }

# Durable commits on both sides: SQLite's synchronous=FULL, PostgreSQL's
# fsync (the tests' clusters run without it).
PG_FSYNC=on pg_start || exit 1
# pg_url DB: the cluster's URL for database DB.
pg_url() { echo "$PG_URL" | sed "s|^postgresql:///postgres|postgresql:///$1|"; }

# ------------------------------------------------ batch and single sends
say "fleet of $NVINS VINs, sim latency=50 ms, max_connections=$MAXCONN"
awk -v n=$NVINS 'BEGIN { printf "[company demo]\nclient_id = demo-client\nclient_secret = demo-secret\nsign_secret = demo-sign-secret\n";
    for (i = 1; i <= n; i++) printf "[vehicle BENCH%012d]\ncompany = demo\ncommands = location, diagnostics, lock_door, unlock_door\n", i }' \
    >"$TMP/fleet.ini"
VINS=$(awk -v n=$NVINS 'BEGIN { for (i = 1; i <= n; i++) printf "BENCH%012d ", i }')
SEND_VINS=$(echo "$VINS" | tr ' ' '\n' | head -n $NSEND_VINS | tr '\n' ' ')
sim_start "$SIM_BIN" --fixtures "$TMP/fleet.ini" --fault latency=50 || exit 1
config

# batch POLICY: ms of one lock_door batch to every VIN; every item must
# have been sent (no "error" in the reply).
batch() {
    jt "$1" batch lock_door $VINS
    if ! grep -q '^rc 0$' "$TMP/out" || grep -q '"error"' "$TMP/out"; then
        say "a batch item failed ($1):"
        head -c 600 "$TMP/out" >&2
        exit 1
    fi
    elapsed
}

say "a $NVINS-VIN batch, guarded (SQLite) and unguarded, $ROUNDS rounds"
: >"$TMP/g" && : >"$TMP/u"
for r in $(seq "$ROUNDS"); do
    policy "$TMP/batch$r.conf" "sqlite:$TMP/batch$r.db" bench
    batch "$TMP/batch$r.conf" >>"$TMP/g"
    batch none >>"$TMP/u"
done
g=$(median <"$TMP/g") u=$(median <"$TMP/u")
r=$(ratio "$g" "$u")
row "$NVINS-VIN batch ms, guard (SQLite) vs unguarded, latency=50" "$g" "$u" \
    "$r" "<= 1.10" "$(verdict "$r" '<=' 1.10)"
# The journal of a real batch: what a command costs on disk.
BATCH_BYTES=$(db_bytes "$TMP/batch1.db")

say "single sends from $THREADS threads, guarded (SQLite, PostgreSQL) and unguarded, $ROUNDS rounds"
: >"$TMP/g" && : >"$TMP/p" && : >"$TMP/u"
for r in $(seq "$ROUNDS"); do
    policy "$TMP/sends$r.conf" "sqlite:$TMP/sends$r.db" bench
    jt "$TMP/sends$r.conf" sends $THREADS $PER_THREAD $SEND_VINS
    elapsed >>"$TMP/g"
    psql -q -c "CREATE DATABASE threads$r" || exit 1
    policy "$TMP/threads$r.conf" "$(pg_url threads$r)" bench
    jt "$TMP/threads$r.conf" sends $THREADS $PER_THREAD $SEND_VINS
    elapsed >>"$TMP/p"
    jt none sends $THREADS $PER_THREAD $SEND_VINS
    elapsed >>"$TMP/u"
done
g=$(median <"$TMP/g") p=$(median <"$TMP/p") u=$(median <"$TMP/u")
r=$(ratio "$g" "$u")
row "$THREADS threads x $PER_THREAD single sends ms, guard vs unguarded" "$g" \
    "$u" "$r" "<= 1.25" "$(verdict "$r" '<=' 1.25)"
r=$(ratio "$p" "$u")
row "the same, guard on PostgreSQL vs unguarded" "$p" "$u" "$r" "info" "-"
sim_stop

# -------------------------------------------------------- stats, size
n=$((THREADS * PER_THREAD))
copies=$(((STATS_ROWS + n - 1) / n))
cols() {
    sqlite3 "$TMP/sends1.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('$1') WHERE name NOT IN ($2)"
}
ccols=$(cols fm_commands "'journal_id','created_at'")
ecols=$(cols fm_events "'seq','journal_id','at'")
ecols_e=$(echo "$ecols" | sed 's/\([a-z_][a-z_]*\)/e.\1/g')

# big_journal SPACING: $TMP/big.db, the $n commands of the first 8-thread
# round copied $copies times in one transaction with the sqlite3 shell,
# copy k with its own journal ids and SPACING x k seconds older. The copied
# events keep their hashes: `journal verify` would refuse these chains;
# stats does not read them.
big_journal() {
    rm -f "$TMP/big.db" "$TMP/big.db-wal" "$TMP/big.db-shm"
    cp "$TMP/sends1.db" "$TMP/big.db"
    sqlite3 "$TMP/big.db" >/dev/null <<EOS || exit 1
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TEMP TABLE k (i INTEGER);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $copies - 1)
INSERT INTO k SELECT i FROM c;
INSERT INTO fm_commands (journal_id, created_at, $ccols)
  SELECT journal_id || '-' || k.i, created_at - $1 * k.i, $ccols FROM fm_commands, k;
INSERT INTO fm_events (journal_id, at, $ecols)
  SELECT e.journal_id || '-' || k.i, e.at - $1 * k.i, $ecols_e
  FROM (SELECT * FROM fm_events WHERE journal_id IS NOT NULL) AS e, k;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
EOS
    policy "$TMP/big.conf" "sqlite:$TMP/big.db" bench
}

# stats_ms: the median wall time of 3 `fleetcmd journal stats` over big.db.
stats_ms() {
    : >"$TMP/s"
    for _ in 1 2 3; do
        t0=$(date +%s%N)
        "$FLEETCMD" --policy "$TMP/big.conf" journal stats >"$TMP/stats.out" ||
            return 1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000)) >>"$TMP/s"
    done
    median <"$TMP/s"
}

# The default retention is 400 days: a journal at its steady state holds
# its commands spread over them (2,500 a day for a million). Stats also
# counts each provider's commands of the last 24 h (its quota), so the
# second figure puts the whole million into the last day.
spacing=$((400 * 86400 / copies))
say "$((copies * n)) commands over 400 days: fleetcmd journal stats, 3 runs"
big_journal $spacing
have=$(sqlite3 "$TMP/big.db" 'SELECT count(*) FROM fm_commands')
s=$(stats_ms) || exit 1
row "journal stats, $have commands over 400 days, ms (median of 3)" "$s" \
    "2000" "$(ratio "$s" 2000)" "< 2000 ms" "$(verdict "$s" '<' 2000)"
b=$((BATCH_BYTES / NVINS))
row "journal bytes per command, the real $NVINS-VIN batch's file" "$b" \
    "1024" "$(ratio "$b" 1024)" "< 1024" "$(verdict "$b" '<' 1024)"
b=$(($(db_bytes "$TMP/big.db") / have))
row "journal bytes per command, the $have-command file" "$b" "1024" \
    "$(ratio "$b" 1024)" "< 1024" "$(verdict "$b" '<' 1024)"

spacing=$((86400 / copies))
say "$((copies * n)) commands in the last 24 h: fleetcmd journal stats, 3 runs"
big_journal $spacing
s=$(stats_ms) || exit 1
row "journal stats, $have commands all in the last 24 h, ms" "$s" "2000" \
    "$(ratio "$s" 2000)" "< 2000 ms" "$(verdict "$s" '<' 2000)"
rm -f "$TMP/big.db" "$TMP/big.db-wal" "$TMP/big.db-shm"

# ------------------------------------------------------------ PostgreSQL
psql -q -c 'CREATE DATABASE race' && psql -q -c 'CREATE DATABASE sends' ||
    exit 1

say "two host_ids on one PostgreSQL journal, $RACE racing sends each"
sim_start "$SIM_BIN" --complete-ms 600000 || exit 1
config
for h in gw-a gw-b; do
    policy "$TMP/race-$h.conf" "$(pg_url race)" "$h" \
        "[command *]\nduplicate = reject\nduplicate_window = 600\n"
done
VIN=9BWZZZ377VT004251
"$JTOOL" "$TMP/race-gw-a.conf" "$MODULE" "$TMP/mobway.conf" repeat $RACE \
    $VIN unlock_door >"$TMP/race-a" 2>"$TMP/race-a.err" &
pa=$!
"$JTOOL" "$TMP/race-gw-b.conf" "$MODULE" "$TMP/mobway.conf" repeat $RACE \
    $VIN unlock_door >"$TMP/race-b" 2>"$TMP/race-b.err" &
pb=$!
wait $pa || { say "jtool gw-a failed"; tail -n 5 "$TMP/race-a.err" >&2; exit 1; }
wait $pb || { say "jtool gw-b failed"; tail -n 5 "$TMP/race-b.err" >&2; exit 1; }
sent=$(sim_sends)
refused=$(cat "$TMP/race-a" "$TMP/race-b" | awk '$1 == "reason" && $2 == "duplicate" { n += $3 } END { print n + 0 }')
row "sends reaching the sim, 2 host_ids x $RACE racing (PostgreSQL)" \
    "$sent" "1" "-" "= 1" "$(verdict "$sent" '==' 1)"
row "  of which refused as duplicates" "$refused" "$((2 * RACE - 1))" "-" \
    "info" "-"
sim_stop

say "bench_guard: $GUARD_SENDS single sends x $GUARD_ROUNDS rounds, sim latency 0"
sim_start "$SIM_BIN" --complete-ms 600000 || exit 1
config
policy "$TMP/guard-sqlite.conf" "sqlite:$TMP/guard.db" bench
policy "$TMP/guard-pg.conf" "$(pg_url sends)" bench
"$BGUARD" "$MODULE" "$TMP/mobway.conf" "$TMP/guard-sqlite.conf" \
    "$TMP/guard-pg.conf" $GUARD_SENDS $GUARD_ROUNDS >"$TMP/guard.out" || exit 1
rate() { awk -v m="$1" '$1 == m && $3 == "sends/s" { print $2 }' "$TMP/guard.out"; }
u=$(rate unguarded)
for m in sqlite postgresql; do
    g=$(rate "guard+$m")
    row "single sends/s, 1 thread, latency=0, guard+$m vs unguarded" "$g" \
        "$u" "$(ratio "$g" "$u")" "info" "-"
done
sim_stop
pg_stop

table "journal and guard benchmarks" guarded
echo "batch, single sends: jtool (tests/journal/jtool.c), a C host, guarded on"
echo "a fresh journal each round (an SQLite file, a PostgreSQL database) vs"
echo "policy \"none\" (the same calls, no guard), interleaved, medians of"
echo "$ROUNDS rounds. Stats: the rows of a"
echo "real run copied with the sqlite3 shell; wall time of the fleetcmd process."
echo "sends/s: tests/pg/bench_guard.c, medians of $GUARD_ROUNDS rounds, SQLite"
echo "synchronous=FULL and PostgreSQL fsync=on; the simulator answers at once,"
echo "so the ratio is the whole of a guard's cost per send."
echo
verdicts
