#!/bin/sh
# The installed packages journal into PostgreSQL: a host built with
# `pkg-config fleetmod` opens a guard whose journal is postgresql://...
# (a throwaway cluster), and the installed libfleetmod finds the installed
# journal_pg.so in the module directory by itself. Run by
# packaging/check-packages.sh after it installed the .debs.
#
#   sh tests/pg/installed.sh WORKDIR MOBWAY_CONF VIN
set -u
WORK=$1 CONF=$2 VIN=$3
. tests/pg/pg-cluster.sh
pg_start || exit 1
trap pg_stop EXIT
printf '[journal]\nurl = %s\nhost_id = installed\n' "$PG_URL" >"$WORK/pg-policy.conf"
# shellcheck disable=SC2046
cc -o "$WORK/guarded_host" tests/pg/guarded_host.c \
    $(pkg-config --cflags --libs fleetmod) || exit 1
env -u FLEETMOD_MODULE_PATH "$WORK/guarded_host" "$CONF" "$WORK/pg-policy.conf" "$VIN"
rc=$?
[ "$rc" -eq 0 ] || exit 1
n=$(psql -X -At -c "SELECT count(*) FROM fleetmod_commands WHERE host_id = 'installed'")
echo "rc $rc, journaled $n"
[ "$rc" -eq 0 ] && [ "$n" = 1 ]
