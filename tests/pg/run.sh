#!/bin/sh
# journal_pg.so against a throwaway PostgreSQL cluster and mobway-sim.
#
#   sh tests/pg/run.sh TEST JOURNAL_PG_SO MOBWAY_SO SIM JTOOL
#
# TEST is test_journal_pg (tests/pg/test_journal_pg.c): the store through
# backend.h. JTOOL (tests/journal/jtool.c), driven by test_guard_pg.py:
# libfleetmod's guards on a postgresql:// journal. Each part prints its
# rules as it checks them; the script ends with "N passed, N failed" and
# fails when any failed or a program failed to run.
set -u
TEST=$1 JPG=$2 MOBWAY=$3 SIM_BIN=$4 JTOOL=$5
VIN=6AHFT68CKAF501652
. tests/lib/mobway-sim.sh
. tests/pg/pg-cluster.sh

TMP=$(mktemp -d "${TMPDIR:-/tmp}/journal-pg.XXXXXX")
LISTENER=
PROXY=
cleanup() {
    [ -z "$LISTENER" ] || kill "$LISTENER" 2>/dev/null
    [ -z "$PROXY" ] || kill "$PROXY" 2>/dev/null
    sim_stop
    pg_stop
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM PIPE
pass=0
fail=0

ok() {
    if [ "$1" = 0 ]; then
        echo "ok - $2"; pass=$((pass + 1))
    else
        echo "not ok - $2"; fail=$((fail + 1))
    fi
}

# Runs the test program under $MEMCHECK (as make exports it: valgrind,
# empty in sanitizer builds), bounded (a hang is a failure), echoes its
# output, and counts its ok / not ok lines and a failed run.
run() {
    # shellcheck disable=SC2086
    timeout 300 ${MEMCHECK:-} "$TEST" "$JPG" "$@" >"$TMP/out" 2>&1
    rc=$?
    cat "$TMP/out"
    pass=$((pass + $(grep -c '^ok - ' "$TMP/out")))
    fail=$((fail + $(grep -c '^not ok - ' "$TMP/out")))
    [ "$rc" -eq 0 ] || ok 1 "test_journal_pg $2 exits 0 (got $rc)"
}

# Starts a race: waits until both racers (HOST_IDs $1 and $2) are ready.
go() {
    while [ ! -e "$TMP/go.$1" ] || [ ! -e "$TMP/go.$2" ]; do
        kill -0 $A 2>/dev/null && kill -0 $B 2>/dev/null || break
        sleep 0.05
    done
    touch "$TMP/go"
}

stat() {
    curl -sf "$SIM_URL/_sim/stats" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

sql() {
    psql -X -q -At -c "$1"
}

pg_start || exit 1
sim_start "$SIM_BIN" --complete-ms 600000 || exit 1
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

echo "== every write and read of the backend"
run "$PG_URL" store

echo "== duplicate race: two host_ids, 500 sends each of one VIN and command"
rm -f "$TMP"/go*
timeout 300 "$TEST" "$JPG" "$PG_URL" race gw-a 4 500 "$VIN" lock_door \
    "$MOBWAY" "$TMP/mobway.conf" "$TMP/go" >"$TMP/a" 2>&1 &
A=$!
timeout 300 "$TEST" "$JPG" "$PG_URL" race gw-b 4 500 "$VIN" lock_door \
    "$MOBWAY" "$TMP/mobway.conf" "$TMP/go" >"$TMP/b" 2>&1 &
B=$!
go gw-a gw-b
wait $A; ra=$?
wait $B; rb=$?
cat "$TMP/a" "$TMP/b"
ok $((ra + rb)) "race: both processes ran without a journal error"
sa=$(sed -n 's/^sent //p' "$TMP/a")
sb=$(sed -n 's/^sent //p' "$TMP/b")
sent=$((${sa:-0} + ${sb:-0}))
[ "$sent" -eq 1 ]; ok $? "race: exactly one of 1,000 sends went to the module (sent $sent)"
reg=$(stat commands_registered)
[ "$reg" = 1 ]; ok $? "race: exactly one command reached mobway-sim (registered $reg)"
n=$(sql "SELECT count(*) FROM fleetmod_commands WHERE vin = '$VIN' AND command = 'lock_door' AND state <> 'refused'")
[ "$n" = 1 ]; ok $? "race: the journal holds one command, the rest refused (got $n)"
n=$(sql "SELECT count(DISTINCT host_id) FROM fleetmod_commands WHERE state = 'refused'")
[ "$n" = 2 ]; ok $? "race: both host_ids were refused duplicates (got $n hosts)"
run "$PG_URL" verify

echo "== quota shared by two host_ids: 100 providers, quota 3, 3 sends each"
rm -f "$TMP"/go*
timeout 300 "$TEST" "$JPG" "$PG_URL" quota gw-q1 quota-race 100 3 3 "$TMP/go" \
    >"$TMP/gw-q1" 2>&1 &
A=$!
timeout 300 "$TEST" "$JPG" "$PG_URL" quota gw-q2 quota-race 100 3 3 "$TMP/go" \
    >"$TMP/gw-q2" 2>&1 &
B=$!
go gw-q1 gw-q2
wait $A; ra=$?
wait $B; rb=$?
cat "$TMP/gw-q1" "$TMP/gw-q2"
ok $((ra + rb)) "quota: both processes ran without a journal error"
q1=$(sed -n 's/^accepted //p' "$TMP/gw-q1")
q2=$(sed -n 's/^accepted //p' "$TMP/gw-q2")
[ $((${q1:-0} + ${q2:-0})) -eq 300 ]
ok $? "quota: the two host_ids together got exactly the quotas ($q1 + $q2 of 300)"
n=$(sql "SELECT count(*) FROM (SELECT provider FROM fleetmod_commands WHERE provider LIKE 'quota-race-%' GROUP BY provider HAVING count(*) FILTER (WHERE state <> 'refused') <> 3 OR count(*) FILTER (WHERE state = 'refused' AND error_name = 'ERATELIMIT') <> 3) AS off")
[ "$n" = 0 ]; ok $? "quota: every provider got exactly its quota, the rest refused (off: $n)"

echo "== idempotency keys claimed by two host_ids at once: 300 keys"
rm -f "$TMP"/go*
timeout 300 "$TEST" "$JPG" "$PG_URL" idem-race gw-i1 300 "$TMP/go" >"$TMP/i1" 2>&1 &
A=$!
timeout 300 "$TEST" "$JPG" "$PG_URL" idem-race gw-i2 300 "$TMP/go" >"$TMP/i2" 2>&1 &
B=$!
go gw-i1 gw-i2
wait $A; ra=$?
wait $B; rb=$?
cat "$TMP/i1" "$TMP/i2"
ok $((ra + rb)) "idem: both processes ran without a journal error"
i1=$(sed -n 's/^new //p' "$TMP/i1")
i2=$(sed -n 's/^new //p' "$TMP/i2")
[ $((${i1:-0} + ${i2:-0})) -eq 300 ]
ok $? "idem: each key was claimed by exactly one of them ($i1 + $i2 of 300)"

echo "== PostgreSQL stopped: nothing is sent"
mkfifo "$TMP/to" "$TMP/from"
timeout 120 "$TEST" "$JPG" "$PG_URL" outage "$MOBWAY" "$TMP/mobway.conf" "$VIN" \
    <"$TMP/to" >"$TMP/from" 2>&1 &
O=$!
exec 3>"$TMP/to" 4<"$TMP/from"
read -r line <&4
before=$(stat commands_registered)
echo location >&3; read -r line <&4; echo "$line"
[ "$line" = sent ]; ok $? "outage: with the server up, a send goes out"
pg_halt
echo unlock_door >&3; read -r line <&4; echo "$line"
case $line in "refused: journal"*) r=0 ;; *) r=1 ;; esac
ok $r "outage: with the server stopped, the journal write fails"
after=$(stat commands_registered)
[ "$after" = $((before + 1)) ]; ok $? "outage: nothing reached mobway-sim while the journal was down"
# The server must not inherit the pipes, or the program never sees EOF.
pg_resume 3>&- 4<&-
echo unlock_door >&3; read -r line <&4; echo "$line"
[ "$line" = sent ]; ok $? "outage: after a restart the same connection journals again"
exec 3>&- 4<&-
wait $O; ok $? "outage: the program exits cleanly"

echo "== a server that goes silent mid-session: bounded, then reconnected"
python3 tests/pg/freeze_proxy.py "$PG_DIR/.s.PGSQL.5432" "$TMP/proxy-port" \
    "$TMP/freeze" &
PROXY=$!
while [ ! -s "$TMP/proxy-port" ]; do sleep 0.1; done
PURL="postgresql://fleetmod@127.0.0.1:$(cat "$TMP/proxy-port")/postgres"
mkfifo "$TMP/to2" "$TMP/from2"
timeout 120 "$TEST" "$JPG" "$PURL" outage "$MOBWAY" "$TMP/mobway.conf" "$VIN" \
    <"$TMP/to2" >"$TMP/from2" 2>&1 &
O=$!
exec 3>"$TMP/to2" 4<"$TMP/from2"
read -r line <&4
before=$(stat commands_registered)
echo diagnostics >&3; read -r line <&4; echo "$line"
[ "$line" = sent ]; ok $? "silent: through the proxy, a send goes out"
touch "$TMP/freeze"
echo enable_ignition >&3; read -r line <&4; echo "$line"
case $line in "refused: journal: "*"PostgreSQL did not answer within 15 s"*) r=0 ;; *) r=1 ;; esac
ok $r "silent: a server that stops answering fails the journal write within its bound"
[ "$(stat commands_registered)" = $((before + 1)) ]
ok $? "silent: nothing reached mobway-sim while the journal was silent"
rm -f "$TMP/freeze"
echo disable_ignition >&3; read -r line <&4; echo "$line"
[ "$line" = sent ]; ok $? "silent: the next call resets the connection and journals again"
exec 3>&- 4<&-
wait $O; ok $? "silent: the program exits cleanly"
kill $PROXY; wait $PROXY 2>/dev/null; PROXY=

echo "== a URL that does not answer, and one that refuses"
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(300)' >"$TMP/port" &
LISTENER=$!
while [ ! -s "$TMP/port" ]; do sleep 0.1; done
port=$(cat "$TMP/port")
run "postgresql://fleetmod:s3cret-pw@127.0.0.1:$port/fleet" refused-open \
    "timeout expired" s3cret-pw
kill "$LISTENER"; wait "$LISTENER" 2>/dev/null; LISTENER=
run "postgresql://fleetmod:s3cret-pw@127.0.0.1:$port/fleet" refused-open \
    "Connection refused" s3cret-pw
run "postgresql://fleetmod:s3cret-pw@127.0.0.1:$port/fleet?nosuchkey=%zz" \
    refused-open "not a valid PostgreSQL connection URL" s3cret-pw

# What version 3 had instead of version 4's quota index (schema.h).
TO_V3="DROP INDEX IF EXISTS fm_commands_quota_state;
     CREATE INDEX IF NOT EXISTS fm_commands_quota
     ON fm_commands (provider, created_at)"
# quota_plan: how the quota count of the guard and of stats (read.c,
# jpg_quota_used) reads fm_commands for the last 24 h: vacuumed, as
# autovacuum keeps a busy table, and the table and bitmap scans ruled out
# so that the few rows of this test do not decide it.
quota_plan() {
    sql "VACUUM ANALYZE fm_commands" &&
    sql "SET enable_seqscan = off; SET enable_bitmapscan = off;
         EXPLAIN SELECT count(*) FROM fm_commands
         WHERE provider = 'mobway'
         AND created_at >= extract(epoch FROM now())::bigint - 86400
         AND state <> 'refused'" | tr '\n' ' '
}
# v4_indexes: version 4's quota index is there and version 3's is gone.
v4_indexes() {
    [ "$(sql "SELECT string_agg(indexname, ',' ORDER BY indexname)
              FROM pg_indexes WHERE indexname LIKE 'fm_commands_quota%'")" = \
      fm_commands_quota_state ]
}

echo "== a version 3 journal is migrated in place"
sql "$TO_V3; UPDATE fm_schema SET version = 3"
events=$(sql "SELECT count(*) FROM fm_events")
old_plan=$(quota_plan)
run "$PG_URL" verify
plan=$(quota_plan)
[ "$(sql 'SELECT version FROM fm_schema')" = 4 ] &&
    [ "$(sql "SELECT count(*) FROM fm_events")" = "$events" ] && v4_indexes
ok $? "schema: version 3 became 4 (the quota's index holds state), every event kept"
case "$plan" in *"Index Only Scan using fm_commands_quota_state"*) true ;;
    *) false ;; esac
ok $? "schema: the quota count reads the index alone: $plan (version 3: $old_plan)"

echo "== a version 2 journal is migrated in place"
sql "ALTER TABLE fm_commands DROP COLUMN writer_pid, DROP COLUMN writer_start,
     DROP COLUMN writer_boot; $TO_V3; UPDATE fm_schema SET version = 2"
events=$(sql "SELECT count(*) FROM fm_events")
run "$PG_URL" verify
[ "$(sql 'SELECT version FROM fm_schema')" = 4 ] && v4_indexes &&
    [ "$(sql "SELECT count(*) FROM fm_events")" = "$events" ] &&
    [ "$(sql "SELECT count(*) FROM fm_commands WHERE writer_pid IS NULL")" = \
      "$(sql "SELECT count(*) FROM fm_commands")" ]
ok $? "schema: version 2 became 4 (each intent's writer, the quota's index), every event kept"

echo "== a version 1 journal is migrated in place"
sql "DROP TABLE fm_idem, fm_outbox; ALTER TABLE fm_commands
     DROP COLUMN writer_pid, DROP COLUMN writer_start, DROP COLUMN writer_boot;
     $TO_V3; UPDATE fm_schema SET version = 1"
events=$(sql "SELECT count(*) FROM fm_events")
run "$PG_URL" verify
[ "$(sql 'SELECT version FROM fm_schema')" = 4 ] && v4_indexes &&
    [ "$(sql "SELECT count(*) FROM fm_events")" = "$events" ] &&
    sql "SELECT count(*) FROM fm_idem, fm_outbox" >/dev/null &&
    sql "SELECT count(writer_pid) FROM fm_commands" >/dev/null
ok $? "schema: version 1 became 4 (idempotency keys, outbox, writers, the quota's index), every event kept"

echo "== a schema from the future is refused and left alone"
sql "UPDATE fm_schema SET version = 99"
events=$(sql "SELECT count(*) FROM fm_events")
run "$PG_URL" refused-open "schema version 99 is newer than this fleetmod knows (4); not touched"
[ "$(sql 'SELECT version FROM fm_schema')" = 99 ] &&
    [ "$(sql 'SELECT count(*) FROM fm_events')" = "$events" ]
ok $? "schema: the refused database was not written to"

echo "== guards on a PostgreSQL journal (libfleetmod loads journal_pg.so)"
timeout 900 python3 tests/pg/test_guard_pg.py --jtool "$JTOOL" \
    --journal-pg "$JPG" --mobway "$MOBWAY" --sim "$SIM_BIN" >"$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/out" | tail -n 1)
if [ -n "$line" ]; then
    pass=$((pass + ${line%% passed*}))
    f=${line#*passed, }
    fail=$((fail + ${f%% failed}))
fi
[ -n "$line" ] && [ "$rc" -eq 0 ] || ok 1 "test_guard_pg.py ran to its end (rc $rc)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
