# Shell functions for tests that need a PostgreSQL server (POSIX sh; source
# it). Every cluster is a throwaway: its own temporary directory, its own
# unix socket in that directory (no TCP port, so nothing can collide with a
# system cluster such as Debian's "main", which the tests neither use nor
# touch), trust authentication for the socket's owner only.
#
#   . tests/pg/pg-cluster.sh
#   pg_start                # initdb + start; sets PG_DIR, PG_URL, PGHOST...
#   psql -c 'select 1'      # libpq's own variables point at the cluster
#   pg_halt                 # stop the server, keep the data (pg_resume restarts)
#   pg_stop                 # stop the server and remove everything
#
# pg_start sets PG_DIR (the temp dir, also the socket directory), PG_OWNER
# (who runs the server), PG_URL (a postgresql:// URL for the journal), and
# exports PGHOST, PGPORT, PGUSER and PGDATABASE for psql. With PG_DIR and
# PG_OWNER in its environment, another shell may pg_halt and pg_resume the
# same cluster. PostgreSQL refuses to run as root: as root, the
# server runs as PG_RUN_AS (default: the postgres user the server package
# creates, else nobody). PG_FSYNC=on makes commits durable (benchmarks;
# the tests run without fsync). PG_BINDIR overrides the server's directory
# (default: the newest /usr/lib/postgresql/*/bin, else initdb's directory
# in PATH, else pg_config --bindir).

pg_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then
        echo "$PG_BINDIR"
        return
    fi
    # Debian keeps the server programs out of PATH; Fedora has them there.
    _pg_b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$_pg_b" ] && command -v initdb >/dev/null 2>&1; then
        _pg_b=$(dirname "$(command -v initdb)")
    fi
    [ -n "$_pg_b" ] || _pg_b=$(pg_config --bindir 2>/dev/null)
    echo "$_pg_b"
}

# Runs a server program as the cluster's owner.
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    _pg_bin=$(pg_bindir)
    if [ ! -x "$_pg_bin/initdb" ] || [ ! -x "$_pg_bin/pg_ctl" ]; then
        echo "pg_start: no PostgreSQL server found (install postgresql, or set PG_BINDIR)" >&2
        return 1
    fi
    PG_OWNER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        PG_OWNER=${PG_RUN_AS:-}
        [ -n "$PG_OWNER" ] || { id postgres >/dev/null 2>&1 && PG_OWNER=postgres; }
        [ -n "$PG_OWNER" ] || PG_OWNER=nobody
    fi
    # A short path: a unix socket's path is limited to 107 bytes.
    PG_DIR=$(mktemp -d /tmp/fleetmod-pg.XXXXXX) || return 1
    [ "$(id -u)" -ne 0 ] || chown "$PG_OWNER" "$PG_DIR"
    if ! pg_as_owner "$_pg_bin/initdb" -D "$PG_DIR/data" -U fleetmod -A trust \
        --no-sync -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1; then
        echo "pg_start: initdb failed:" >&2
        cat "$PG_DIR/initdb.log" >&2
        rm -rf "$PG_DIR"
        return 1
    fi
    # Only the socket. Trust authentication is safe because the socket's
    # directory is mktemp's 0700: only its owner and root reach it.
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$PG_DIR'"
        echo "unix_socket_permissions = 0777"
        echo "max_connections = 100"
        echo "fsync = ${PG_FSYNC:-off}"
    } >>"$PG_DIR/data/postgresql.conf"
    PGHOST=$PG_DIR
    PGPORT=5432
    PGUSER=fleetmod
    PGDATABASE=postgres
    PG_URL="postgresql:///postgres?host=$PG_DIR&user=fleetmod&port=5432"
    export PG_DIR PG_OWNER PG_URL PGHOST PGPORT PGUSER PGDATABASE
    pg_resume
}

pg_resume() {
    if ! pg_as_owner "$(pg_bindir)/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
        -w -t 30 start >/dev/null; then
        echo "pg_start: the server did not start within 30 s:" >&2
        cat "$PG_DIR/server.log" >&2
        return 1
    fi
}

pg_halt() {
    [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
    pg_as_owner "$(pg_bindir)/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] || return 0
    _pg_status=0
    pg_halt || _pg_status=$?
    rm -rf "$PG_DIR"
    PG_DIR=
    return "$_pg_status"
}
