#!/bin/sh
# The ABI guard: libfleetmod and the module contract against the baselines
# committed beside this script (abidw/abidiff, package abigail-tools).
#
#   sh packaging/abi/abi-check.sh check LIB      compare; prints "N passed, N failed"
#   sh packaging/abi/abi-check.sh baseline LIB   rewrite the two baselines
#
# LIB is the built libfleetmod.so.1.x.y. Run from the top of the tree.
#
# Every ABI change abidiff reports fails the check, compatible or not: the
# contract may only grow at the end of struct fleetmod_module and struct
# fleetmod_host, and libabigail's "inserted at end" suppression also hides
# reordered members. An allowed change is made on purpose, with a new
# baseline (the "baseline" command) committed beside it for review.
set -u

ABI=packaging/abi
INC=host-api/include
CC=${CC:-cc}
# No absolute paths or source lines in the baselines: they would change with
# the checkout directory and every edit of a comment.
DW="--no-corpus-path --no-comp-dir-path --no-show-locs"

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
    dump "$INC/fleetmod" "$lib" "$ABI/libfleetmod.abi" &&
        contract_so "$INC" "$tmp/contract.so" &&
        dump "$INC/fleetmod" "$tmp/contract.so" "$ABI/contract.abi" || exit 1
    echo "abi-check: wrote $ABI/libfleetmod.abi and $ABI/contract.abi"
    exit 0
fi
[ "$mode" = check ] || usage

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }

# abidiff's exit status is a bit set: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible change. 0 means "no change".
compare() { # name baseline new.abi
    abidiff "$2" "$3" >"$tmp/$1.diff" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        pass "$1 ABI matches $2"
    else
        fail "$1 ABI differs from $2 (abidiff exit $rc):"
        sed 's/^/    /' "$tmp/$1.diff"
        echo "    A reorder, removal or type change breaks every binary built"
        echo "    against fleetmod 1. Only appending to struct fleetmod_module or"
        echo "    struct fleetmod_host, new rc values and new functions are"
        echo "    allowed; for those run 'make abi-baseline' and commit it."
    fi
}

dump "$INC/fleetmod" "$lib" "$tmp/lib.abi" && compare libfleetmod "$ABI/libfleetmod.abi" "$tmp/lib.abi"
contract_so "$INC" "$tmp/contract.so" &&
    dump "$INC/fleetmod" "$tmp/contract.so" "$tmp/contract.abi" &&
    compare contract "$ABI/contract.abi" "$tmp/contract.abi"

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
    abidiff "$ABI/contract.abi" "$tmp/$1.abi" >"$tmp/$1.diff" 2>&1
    rc=$?
    if [ $((rc & 4)) -ne 0 ] && grep -q "$4" "$tmp/$1.diff"; then
        pass "guard: abidiff reports the $1"
    else
        fail "guard: abidiff missed the $1 (exit $rc)"
        sed 's/^/    /' "$tmp/$1.diff"
    fi
}

guard_catches "moved abi_version" "uint32_t abi_version;" "const char *name;" \
    "abi_version' offset changed"
guard_catches "swapped send and confirm" "fleetmod_call_fn send;" \
    "fleetmod_call_fn confirm;" "send' offset changed"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
