#!/bin/sh
# Run fleetmod-conformance on one module, as `make check-conformance` does.
#
#   sh tests/conformance/run.sh TOOL MODULE CONFIG [TOOL OPTIONS...]
#
# Environment:
#   EXPECT_FAIL="DESCRIPTION"  the module is broken on purpose: pass only if
#                              the tool exits non-zero with a line
#                              "not ok N - DESCRIPTION..."
#   UNDER_MEMCHECK=1           run the tool under $MEMCHECK (valgrind, set by
#                              the Makefile); skipped, saying why, when
#                              MEMCHECK is empty (sanitizer builds)
#
# A module added later (mobway.so against mobway-sim) needs one more line
# in its own build.mk calling this script with its module and config.
set -u

[ $# -ge 3 ] || { echo "usage: sh $0 TOOL MODULE CONFIG [OPTIONS...]" >&2; exit 64; }
tool=$1
shift

if [ -n "${UNDER_MEMCHECK:-}" ]; then
    if [ -z "${MEMCHECK:-}" ]; then
        echo "# skipped: MEMCHECK is empty (a sanitizer build checks memory itself)"
        echo "0 passed, 0 failed"
        exit 0
    fi
    echo "# under: $MEMCHECK"
    # shellcheck disable=SC2086
    exec $MEMCHECK "$tool" "$@"
fi

if [ -z "${EXPECT_FAIL:-}" ]; then
    exec "$tool" "$@"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$tool" "$@" >"$out" 2>&1
rc=$?
sed 's/^/#   /' "$out"
if [ "$rc" -ne 0 ] && grep -q "^not ok [0-9]* - $EXPECT_FAIL" "$out"; then
    echo "ok 1 - $1 is refused by check \"$EXPECT_FAIL\""
    echo "1 passed, 0 failed"
    exit 0
fi
echo "not ok 1 - $1 is refused by check \"$EXPECT_FAIL\": exit $rc, check not failed"
echo "0 passed, 1 failed"
exit 1
