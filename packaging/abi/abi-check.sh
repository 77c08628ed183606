#!/bin/sh
# The ABI guard: libfleetmod and the module contract against the baselines
# committed beside this script (abidw/abidiff, package abigail-tools), one
# pair per minor release: libfleetmod-1.X.abi and contract-1.X.abi.
#
#   sh packaging/abi/abi-check.sh check LIB      compare; prints "N passed, N failed"
#   sh packaging/abi/abi-check.sh baseline LIB   rewrite the latest pair
#
# LIB is the built libfleetmod.so.1.x.y. Run from the top of the tree.
#
# Against the latest pair ($LATEST) every ABI change abidiff reports fails,
# compatible or not: libabigail's "inserted at end" suppression also hides
# reordered members, so a change is made on purpose, with a new baseline
# (the "baseline" command) committed beside it for review. Against each
# older pair only what libfleetmod.so.1 promises is checked: nothing of
# that release removed or changed; added functions (in a new version
# node), members appended to struct fleetmod_module and struct
# fleetmod_host (growth.suppr) and new rc values pass. A new minor release
# copies the latest pair to its own name and raises LATEST.
set -u

ABI=packaging/abi
INC=host-api/include
CC=${CC:-cc}
LATEST=1.1
OLDER="1.0"
# No absolute paths or source lines in the baselines: they would change with
# the checkout directory and every edit of a comment. Types defined outside
# the public headers are left out: struct fleetmod_stack and the other
# opaque handles are no caller's business, so their insides may change.
DW="--no-corpus-path --no-comp-dir-path --no-show-locs --drop-private-types"

# The contract is header-only: contract.c turns module.h from include dir $1
# into the shared object $2. Fixed flags, so user CFLAGS never change it.
contract_so() {
    $CC -std=c11 -g -O0 -fPIC -shared -fvisibility=hidden -I"$1" \
        -o "$2" "$ABI/contract.c"
}

# abidw of object $2, public types being those of headers dir $1, into $3.
dump() {
    # shellcheck disable=SC2086
    abidw $DW --headers-dir "$1" "$2" >"$3"
}

usage() {
    echo "usage: sh $ABI/abi-check.sh check|baseline LIB" >&2
    exit 64
}

[ $# -eq 2 ] || usage
mode=$1
lib=$2
[ -f "$lib" ] || { echo "abi-check: $lib: not built" >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if [ "$mode" = baseline ]; then
    dump "$INC/fleetmod" "$lib" "$ABI/libfleetmod-$LATEST.abi" &&
        contract_so "$INC" "$tmp/contract.so" &&
        dump "$INC/fleetmod" "$tmp/contract.so" "$ABI/contract-$LATEST.abi" ||
        exit 1
    echo "abi-check: wrote $ABI/libfleetmod-$LATEST.abi and $ABI/contract-$LATEST.abi"
    exit 0
fi
[ "$mode" = check ] || usage

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }

# abidiff's exit status is a bit set: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible change. 0 means "no change".
compare() { # name baseline new.abi [abidiff options: an older release]
    name=$1 base=$2 new=$3
    shift 3
    abidiff "$@" "$base" "$new" >"$tmp/$name.diff" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && [ $# -gt 0 ]; then
        pass "$name ABI keeps everything of $base"
    elif [ $rc -eq 0 ]; then
        pass "$name ABI matches $base"
    else
        fail "$name ABI differs from $base (abidiff exit $rc):"
        sed 's/^/    /' "$tmp/$name.diff"
        echo "    A reorder, removal or type change breaks every binary built"
        echo "    against fleetmod 1. Only appending to struct fleetmod_module or"
        echo "    struct fleetmod_host, new rc values and new functions are"
        echo "    allowed; for those run 'make abi-baseline' and commit it."
    fi
}

dump "$INC/fleetmod" "$lib" "$tmp/lib.abi" &&
    compare libfleetmod "$ABI/libfleetmod-$LATEST.abi" "$tmp/lib.abi"
contract_so "$INC" "$tmp/contract.so" &&
    dump "$INC/fleetmod" "$tmp/contract.so" "$tmp/contract.abi" &&
    compare contract "$ABI/contract-$LATEST.abi" "$tmp/contract.abi"

# The members of the growable tables in abixml file $1, one line each:
# "name='fleetmod_module' member offset", in declaration order.
table_members() {
    awk '
        /<class-decl name=.fleetmod_(module|host). / &&
            !/is-declaration-only/ { cls = $2; next }
        cls && /<\/class-decl>/ { cls = ""; next }
        cls && match($0, /layout-offset-in-bits=.[0-9]+/) {
            off = substr($0, RSTART + 23, RLENGTH - 23); next }
        cls && match($0, /<var-decl name=.[^\047]+/) {
            print cls, substr($0, RSTART + 16, RLENGTH - 16), off }' "$1"
}

# growth.suppr cannot tell an appended member from a moved one, so every
# member the older release's tables had must still be there at the same
# offset ($1 older abixml, $2 new). Prints what is missing or moved.
members_kept() {
    table_members "$1" >"$tmp/old.members"
    table_members "$2" >"$tmp/new.members"
    awk 'NR == FNR { seen[$0] = 1; next }
         !seen[$0] { print "    missing or moved: " $0; bad = 1 }
         END { exit bad }' "$tmp/new.members" "$tmp/old.members"
}

# Against an older release: its ABI kept, growth allowed.
older() { # name older.abi new.abi
    compare "$1" "$2" "$3" --no-added-syms --suppressions "$ABI/growth.suppr"
    if members_kept "$2" "$3" >"$tmp/$1.moved"; then
        pass "$1: the tables' members of $2 kept their offsets"
    else
        fail "$1: members of $2 moved or went:"
        cat "$tmp/$1.moved"
    fi
}

for v in $OLDER; do
    older "libfleetmod-$v" "$ABI/libfleetmod-$v.abi" "$tmp/lib.abi"
    older "contract-$v" "$ABI/contract-$v.abi" "$tmp/contract.abi"
done

# The guard itself: a broken copy of module.h must be caught. $1 names the
# break, $2 the member it moves down, $3 the member it moves it after.
guard_catches() {
    d="$tmp/$1/fleetmod"
    mkdir -p "$d"
    awk -v m="$2" -v after="$3" '
        index($0, m) && !held { held = $0; next }
        { print }
        held && index($0, after) { print held; held = "" }' \
        "$INC/fleetmod/module.h" >"$d/module.h"
    if cmp -s "$INC/fleetmod/module.h" "$d/module.h"; then
        fail "guard: could not build the $1 copy of module.h"
        return
    fi
    contract_so "$tmp/$1" "$tmp/$1.so" && dump "$d" "$tmp/$1.so" "$tmp/$1.abi"
    abidiff "$ABI/contract-$LATEST.abi" "$tmp/$1.abi" >"$tmp/$1.diff" 2>&1
    rc=$?
    if [ $((rc & 4)) -ne 0 ] && grep -q "$4" "$tmp/$1.diff"; then
        pass "guard: abidiff reports the $1"
    else
        fail "guard: abidiff missed the $1 (exit $rc)"
        sed 's/^/    /' "$tmp/$1.diff"
    fi
    for v in $OLDER; do
        if members_kept "$ABI/contract-$v.abi" "$tmp/$1.abi" >/dev/null; then
            fail "guard: the $v check missed the $1"
        else
            pass "guard: the $v check reports the $1"
        fi
    done
}

guard_catches "moved abi_version" "uint32_t abi_version;" "const char *name;" \
    "abi_version' offset changed"
guard_catches "swapped send and confirm" "fleetmod_call_fn send;" \
    "fleetmod_call_fn confirm;" "send' offset changed"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
