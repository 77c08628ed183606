#!/bin/sh
# Install what fleetmod needs to build and test on Debian/Ubuntu.
#
#   sh packaging/deps.sh          install missing packages (as root), or print
#                                 the command to run (as another user)
#   sh packaging/deps.sh --list   print the package names
#   sh packaging/deps.sh --check  exit 1 (and say which) if any is missing
#
# Fedora names are in the README's dependency table; this script only speaks
# apt.
set -eu

# Build: compiler, pkg-config and the libraries of the README's "Dependencies".
BUILD="gcc make pkgconf libc6-dev libcurl4-openssl-dev libmsgpack-dev libssl-dev
libinih-dev libjansson-dev libmicrohttpd-dev libpq-dev libsqlite3-dev
libsystemd-dev"
# Tests: unit tests, the simulator's certificates, the independent python3
# client, memcheck, curl for the integration scripts, clang for fuzzing and
# sanitizers, binutils for nm, the PostgreSQL server for the PostgreSQL
# journal's throwaway test clusters, the sqlite3 shell that the journal tests
# tamper with, prometheus_client's parser that checks `fleetcmd journal stats
# --openmetrics`.
TEST="libcmocka-dev openssl ca-certificates python3 curl valgrind clang sqlite3
libclang-rt-14-dev binutils procps wrk postgresql postgresql-common
python3-prometheus-client"
# Packages: .deb and .rpm builds, their linters and the ABI check.
PKG="debhelper dpkg-dev fakeroot lintian rpm rpmlint debugedit elfutils
abigail-tools man-db git"

# Lint: make lint (layout and static analysis).
LINT="clang-format cppcheck"

PACKAGES="$BUILD $TEST $PKG $LINT"

missing() {
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
            printf '%s ' "$p"
    done
}

case "${1:-}" in
--list) echo $PACKAGES; exit 0 ;;
--check)
    m=$(missing)
    [ -z "$m" ] && exit 0
    echo "fleetmod: missing packages: $m" >&2
    echo "fleetmod: run 'make deps' (as root) to install them" >&2
    exit 1 ;;
"") ;;
*) echo "usage: sh packaging/deps.sh [--list|--check]" >&2; exit 64 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "fleetmod: not a Debian system; install the packages of README.md's dependency table" >&2
    exit 1
fi

m=$(missing)
[ -z "$m" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "fleetmod: missing packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends $m" >&2
    exit 1
fi

echo "fleetmod: installing $m"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $m
