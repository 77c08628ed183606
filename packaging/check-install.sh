#!/bin/sh
# make install as a person does it, into a temporary directory: `make`
# with one set of paths, then `make install PREFIX=... SYSCONFDIR=...`
# with another. Checks that every installed file was rebuilt for the new
# paths, that a config once edited is never overwritten or removed, that
# uninstall leaves nothing else behind, and that the README's host example
# builds and runs against the install as the README says.
#
#   MAKE=make sh packaging/check-install.sh      (from the top of the tree)
#
# Closes with "N passed, N failed".
set -u
MAKE=${MAKE:-make}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fleetmod-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
tb=$tmp/build first=$tmp/first usr=$tmp/usr etc=$tmp/etc
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
# mk LOG ARGS...: a make of this tree in the test's own build directory.
mk() {
    log=$1; shift
    if ! $MAKE --no-print-directory B="$tb" "$@" >"$tmp/$log.log" 2>&1; then
        tail -n 30 "$tmp/$log.log" | sed 's/^/#   /'
        not_ok "make $*"
        finish
    fi
}
same() { cmp -s "$1" "$2"; }
has() { grep -qaF "$2" "$1"; }
edited() { printf '; edited by the administrator\n' >>"$1"; }
mod=$usr/lib/fleetmod/mobway.so
lib=$usr/lib/libfleetmod.so.1
conf=$etc/fleetmod/mobway.conf
stack=$etc/fleetmod/stack.conf

# A distribution's build (its compiler, its flags) never fails on a
# warning: -Werror only when WERROR=1 asks for it, as CI does. The probes
# run without this make's own command-line variables (CI's make check has
# WERROR=1).
obj=$tb/obj/host-api/src/rc.o
dry() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u WERROR $MAKE \
        --no-print-directory -n -B V=1 B="$tb" "$@" "$obj" 2>&1
}
check "the default flags have no -Werror" sh -c \
    '! printf "%s\n" "$0" | grep -q -- -Werror' "$(dry)"
check "WERROR=1 adds -Werror" sh -c \
    'printf "%s\n" "$0" | grep -q -- -Werror' "$(dry WERROR=1)"

mk build-first PREFIX="$first" all
mk install PREFIX="$usr" SYSCONFDIR="$etc" install

check "mobway.so looks for SYSCONFDIR/fleetmod/mobway.conf of the install" \
    has "$mod" "$etc/fleetmod/mobway.conf"
check "libfleetmod looks for modules in MODULEDIR of the install" \
    has "$lib" "$usr/lib/fleetmod"
check "libfleetmod's default stack is SYSCONFDIR/fleetmod/stack.conf" \
    has "$lib" "$etc/fleetmod/stack.conf"
check "the installed fleetmod.pc says the install's prefix" \
    grep -qx "prefix=$usr" "$usr/lib/pkgconfig/fleetmod.pc"
check "no installed file names the paths of the earlier make" \
    sh -c '! grep -rqaF "$0" "$1" "$2"' "$first" "$usr" "$etc"
check "a first install puts the example in place as mobway.conf" \
    same plugin/mobway/mobway.conf.example "$conf"
check "a first install puts the example in place as stack.conf" \
    same host-api/stack.conf.example "$stack"
check "mobway's stack drop-in is in place, disabled, naming the install's mobway.conf" \
    sh -c 'grep -qx "enabled = false" "$0" && grep -qx "config = $1" "$0"' \
    "$etc/fleetmod/stack.d/mobway.conf" "$conf"
check "the first send of a fresh install says which file to edit, or -m mobway" \
    sh -c 'env -u FLEETMOD_MODULE_PATH LD_LIBRARY_PATH="$0/lib" \
        "$0/bin/fleetcmd" send 6AHFT68CKAF501652 location >"$2" 2>&1
        rc=$?; [ $rc -ne 0 ] && grep -qF "$1/fleetmod/stack.d/mobway.conf" "$2" &&
        grep -qF "fleetcmd -m mobway" "$2" || { sed "s/^/#   /" "$2"; false; }' \
    "$usr" "$etc" "$tmp/first-send"

# The README's host against the install (it points mobway.conf at a
# simulator, as an administrator edits it).
if env -u FLEETMOD_MODULE_PATH PKG_CONFIG_PATH="$usr/lib/pkgconfig" \
    LD_LIBRARY_PATH="$usr/lib" sh packaging/readme-host.sh README.md \
    "$tmp/host" "$usr/bin/mobway-sim" "$etc" >"$tmp/readme.log" 2>&1; then
    ok "the README's host builds and runs against the install"
else
    sed 's/^/#   /' "$tmp/readme.log"
    not_ok "the README's host builds and runs against the install"
fi

edited "$conf"
cp "$conf" "$tmp/conf.kept"
edited "$stack"
cp "$stack" "$tmp/stack.kept"
mk reinstall PREFIX="$usr" SYSCONFDIR="$etc" install
check "install again with unchanged paths compiles nothing" \
    sh -c '! grep -q "^  CC " "$0"' "$tmp/reinstall.log"
check "install again keeps the edited mobway.conf" same "$tmp/conf.kept" "$conf"
check "install again keeps the edited stack.conf" same "$tmp/stack.kept" "$stack"
check "the new example goes beside the edited one as mobway.conf.example" \
    same plugin/mobway/mobway.conf.example "$conf.example"

mk uninstall PREFIX="$usr" SYSCONFDIR="$etc" uninstall
check "uninstall keeps the edited mobway.conf" same "$tmp/conf.kept" "$conf"
check "uninstall keeps the edited stack.conf" same "$tmp/stack.kept" "$stack"
check "uninstall leaves no other file" sh -c \
    'test -z "$(find "$0" "$1" -type f ! -path "$2" ! -path "$3")"' \
    "$usr" "$etc" "$conf" "$stack"

dest=$tmp/dest
mk destdir PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$dest" install
check "DESTDIR is never compiled in" \
    sh -c '! grep -rqaF "$0/" "$0"' "$dest"
mk destdir-uninstall PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$dest" uninstall
check "uninstall removes the configs that are still the unedited examples" \
    sh -c 'test -z "$(find "$0" -type f)"' "$dest"
finish
