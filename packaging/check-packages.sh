#!/bin/sh
# The packages as a user gets them: the .debs lintian-clean, installed on
# this machine, a host run through the installed module against the
# installed simulator, then purged without a trace; the .rpms rpmlint-clean
# with the committed file lists.
#
#   sh packaging/check-packages.sh PKGDIR     (after make deb rpm; as root)
#
# It installs into the real /usr, so it refuses to run when any fleetmod
# package is already installed, and purges what it installed (and any
# dependency apt pulled in for it) even when a step fails.
set -u

pkgdir=$(cd "$1" && pwd) || exit 1
debver=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
moduledir=/usr/lib/$triplet/fleetmod
PKGS="libfleetmod1 libfleetmod-dev fleetmod-mobway fleetmod-mobway-sim fleetmod-tools
fleetmod-journal-pg fleetmodd"
VIN=6AHFT68CKAF501652

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
# check NAME COMMAND...: one assertion, its output shown when it fails.
check() {
    name=$1
    shift
    if out=$("$@" 2>&1); then
        pass "$name"
    else
        fail "$name"
        printf '%s\n' "$out" | sed 's/^/    /'
    fi
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

deb() { echo "$pkgdir/${1}_${debver}_${arch}.deb"; }

# --- the version: one number, the Makefile's --------------------------------
if [ -n "${VERSION:-}" ]; then
    check "debian/changelog is at the Makefile's VERSION $VERSION" \
        test "${debver%-*}" = "$VERSION"
    check "the spec is at the Makefile's VERSION $VERSION" sh -c \
        'grep -qx "Version: *$1" packaging/rpm/fleetmod.spec' sh "$VERSION"
fi

# --- what make deb produced ------------------------------------------------
for p in $PKGS; do
    check "$p .deb built" test -f "$(deb "$p")"
done
for p in libfleetmod1 fleetmod-mobway fleetmod-mobway-sim fleetmod-tools \
    fleetmod-journal-pg fleetmodd; do
    check "$p-dbgsym .deb built" test -f "$(deb "$p-dbgsym")"
done

# The split: a production host installs the module without the simulator
# (and so without libmicrohttpd), for each architecture it runs (PAM- and
# PKCS#11-module style), and the library pulls in no provider.
check "fleetmod-mobway is Multi-Arch: same" \
    test "$(dpkg-deb -f "$(deb fleetmod-mobway)" Multi-Arch)" = same
check "fleetmod-mobway ships no mobway-sim" sh -c \
    '! dpkg-deb -c "$1" | grep mobway-sim' sh "$(deb fleetmod-mobway)"
check "fleetmod-mobway does not depend on libmicrohttpd" sh -c \
    '! dpkg-deb -f "$1" Depends | grep microhttpd' sh "$(deb fleetmod-mobway)"
check "fleetmod-mobway-sim ships /usr/bin/mobway-sim and its page" sh -c \
    'dpkg-deb -c "$1" | grep -q " ./usr/bin/mobway-sim$" &&
     dpkg-deb -c "$1" | grep -q " ./usr/share/man/man1/mobway-sim.1.gz$"' \
    sh "$(deb fleetmod-mobway-sim)"
check "libfleetmod1 recommends no provider" sh -c \
    '! dpkg-deb -f "$1" Recommends Depends | grep mobway' sh "$(deb libfleetmod1)"
# libpq only with the PostgreSQL journal, which libfleetmod dlopens.
check "libfleetmod1 does not depend on libpq" sh -c \
    '! dpkg-deb -f "$1" Depends | grep libpq' sh "$(deb libfleetmod1)"
check "fleetmod-journal-pg ships journal_pg.so and depends on libpq" sh -c \
    'dpkg-deb -c "$1" | grep -q "/fleetmod/journal_pg.so$" &&
     dpkg-deb -f "$1" Depends | grep -q libpq' sh "$(deb fleetmod-journal-pg)"

# lintian: no error, no warning, and no info tag (one that had to stay
# would be overridden with its reason in packaging/debian/*.lintian-overrides).
# initial-upload-closes-no-bugs wants an ITP bug, which only an archive
# upload has.
lint=$(lintian -I --fail-on error,warning \
    --suppress-tags initial-upload-closes-no-bugs \
    "$pkgdir/fleetmod_${debver}_${arch}.changes" 2>/dev/null)
rc=$?
check "lintian: no tag (infos overridden with a reason)" \
    test $rc -eq 0 -a -z "$lint"
[ -z "$lint" ] || printf '%s\n' "$lint" | sed 's/^/    /'

# --- rpm -------------------------------------------------------------------
# rpmlint's findings that do not apply (Debian-hosted build, Fedora rules
# rpmlint's generic profile does not know) are filtered with a reason in
# fleetmod.rpmlintrc. One call for all packages: a filter that matches
# nothing in one package would otherwise be an error.
check "rpmlint: no error" rpmlint -r packaging/rpm/fleetmod.rpmlintrc \
    "$pkgdir"/*.rpm packaging/rpm/fleetmod.spec
mobway_rpm=$(ls "$pkgdir"/fleetmod-mobway-[0-9]*.rpm 2>/dev/null | grep -v '\.src\.rpm$')
check "the fleetmod-mobway rpm does not require libmicrohttpd" sh -c \
    'test -f "$1" && ! rpm -qp --requires "$1" | grep -i microhttpd' \
    sh "$mobway_rpm"
for want in packaging/rpm/expected/*.txt; do
    name=$(basename "$want" .txt)
    rpmfile=$(ls "$pkgdir/$name"-[0-9]*.rpm 2>/dev/null | grep -v '\.src\.rpm$')
    # Build-id links change with every build: not part of the list.
    check "rpm -qlp $name matches $want" sh -c \
        'rpm -qlp "$1" | grep -v "^/usr/lib/\.build-id" | diff -u "$2" -' \
        sh "$rpmfile" "$want"
done

# --- install, use, purge ---------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: install test: not root (it installs into /usr)"
    finish
fi
for p in $PKGS; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
        fail "install test: $p is already installed; refusing to touch it"
        finish
    fi
done

work=$(mktemp -d)
before=$(dpkg-query -W -f='${Package}\n' | sort)
etc_before=$(test -e /etc/fleetmod && echo yes)
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
    # Remove the leftovers of any earlier run too, and whatever apt pulled
    # in for the packages, so that the machine ends as it started.
    dpkg --purge $PKGS >/dev/null 2>&1
    added=$(dpkg-query -W -f='${Package}\n' | sort | comm -13 "$work/before" -)
    [ -n "$added" ] && dpkg --purge $added >/dev/null 2>&1
    rm -rf "$work"
}
printf '%s\n' "$before" >"$work/before"
trap cleanup EXIT
trap 'exit 1' INT TERM

debs=""
for p in $PKGS; do debs="$debs $(deb "$p")"; done
check "apt-get installs the packages" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends $debs

for p in $PKGS; do dpkg -L "$p" >"$work/$p.list" 2>/dev/null; done
check "mobway.so is in the moduledir" test -f "$moduledir/mobway.so"
check "journal_pg.so is in the moduledir" test -f "$moduledir/journal_pg.so"
check "mobway-sim is installed by fleetmod-mobway-sim" sh -c \
    'test -x /usr/bin/mobway-sim && grep -qx /usr/bin/mobway-sim "$1"' \
    sh "$work/fleetmod-mobway-sim.list"
check "conffiles /etc/fleetmod/mobway.conf and stack.conf" sh -c \
    'dpkg-query -W -f="\${Conffiles}\n" fleetmod-mobway fleetmod-tools |
     grep -q " /etc/fleetmod/mobway.conf " &&
     dpkg-query -W -f="\${Conffiles}\n" fleetmod-tools |
     grep -q " /etc/fleetmod/stack.conf "'
check "fleetmod-mobway's stack drop-in is a conffile, disabled" sh -c \
    'dpkg-query -W -f="\${Conffiles}\n" fleetmod-mobway |
     grep -q " /etc/fleetmod/stack.d/mobway.conf " &&
     grep -qx "enabled = false" /etc/fleetmod/stack.d/mobway.conf'
check "a fresh install's first send says which file to edit, or -m mobway" sh -c \
    'env -u FLEETMOD_MODULE_PATH fleetcmd send "$2" location >"$1/first" 2>&1
     rc=$?; cat "$1/first"; [ $rc -ne 0 ] &&
     grep -q "/etc/fleetmod/stack.d/mobway.conf" "$1/first" &&
     grep -q "fleetcmd -m mobway" "$1/first"' sh "$work" "$VIN"
check "no secret file is shipped" sh -c \
    '! cat "$1"/*.list | grep -E "secret|client_id"' sh "$work"
check "fleetmod.pc names the moduledir" test \
    "$(pkg-config --variable=moduledir fleetmod)" = "$moduledir"

# A host built against the installed -dev package agrees with the .pc.
cat >"$work/host.c" <<'EOF'
#include <stdio.h>
#include <fleetmod/host.h>
int main(void)
{
    puts(fleetmod_moduledir());
    return 0;
}
EOF
check "a host builds with pkg-config fleetmod" sh -c \
    'cc -o "$1/host" "$1/host.c" $(pkg-config --cflags --libs fleetmod)' \
    sh "$work"
check "libfleetmod's moduledir is the packaged one" test \
    "$("$work/host" 2>&1)" = "$moduledir"

check "fleetcmd modules lists mobway from the moduledir" sh -c \
    'env -u FLEETMOD_MODULE_PATH fleetcmd modules >"$1/modules" 2>&1;
     cat "$1/modules"; grep "mobway" "$1/modules" | grep -q "$2/mobway.so"' \
    sh "$work" "$moduledir"

# The installed module against the installed simulator.
(cd "$work" && exec mobway-sim --port 0 --port-file "$work/port") \
    >"$work/sim.log" 2>&1 &
sim_pid=$!
i=0
while [ ! -s "$work/port" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
port=$(cat "$work/port" 2>/dev/null)
check "mobway-sim starts and reports its port" test -n "$port"
(
    umask 077
    printf 'demo-secret\n' >"$work/client_secret"
    printf 'demo-sign-secret\n' >"$work/sign_secret"
)
cat >"$work/mobway.conf" <<EOF
[mobway]
base_url = http://127.0.0.1:$port
allow_http = true
client_id = demo-client
client_secret_file = $work/client_secret
sign_secret_file = $work/sign_secret
EOF
check "fleetcmd runs location through the installed module to success" sh -c \
    'env -u FLEETMOD_MODULE_PATH fleetcmd --json -m mobway -c "$1/mobway.conf" \
         send "$2" location --wait 20 >"$1/send" 2>&1
     rc=$?; cat "$1/send"; [ $rc -eq 0 ] && grep -q "\"success\"" "$1/send"' \
    sh "$work" "$VIN"
check "a guarded host journals into PostgreSQL through the installed journal_pg.so" \
    sh tests/pg/installed.sh "$work" "$work/mobway.conf" "$VIN"
kill "$sim_pid" 2>/dev/null
wait "$sim_pid" 2>/dev/null
sim_pid=

# fleetmodd: its user, its unit, and nothing started before it is
# configured.
check "fleetmodd: the fleetmod system user and group exist" sh -c \
    'getent passwd fleetmod && getent group fleetmod'
check "fleetmodd: the unit is installed, Type=notify, User=fleetmod" sh -c \
    'u=/lib/systemd/system/fleetmodd.service; grep -qx Type=notify "$u" &&
     grep -qx User=fleetmod "$u" && grep -qx ProtectSystem=strict "$u"'
check "fleetmodd: the package neither enabled nor started the service" sh -c \
    '! ls /etc/systemd/system/*.wants/fleetmodd.service 2>/dev/null | grep . &&
     ! pgrep -x fleetmodd'
check "fleetmodd --help runs" /usr/sbin/fleetmodd --help

# Configured, it starts as its own user, answers /v1/health on its socket
# and stops cleanly on SIGTERM (no systemd here: started as the unit would,
# as User=fleetmod in the foreground).
svc=$(mktemp -d /tmp/fleetmodd-pkg.XXXXXX)
chmod 0755 "$svc"
mkdir "$svc/run" "$svc/state"
cp "$work/client_secret" "$work/sign_secret" "$svc/"
sed "s|$work/|$svc/|" "$work/mobway.conf" >"$svc/mobway.conf"
printf '[mobway]\nmodule = mobway\nconfig = %s\n' "$svc/mobway.conf" \
    >"$svc/stack.conf"
printf '[journal]\nurl = sqlite:%s\n' "$svc/state/journal.db" >"$svc/policy.conf"
printf '[service]\nstack = %s\npolicy = %s\nsocket = %s\n' "$svc/stack.conf" \
    "$svc/policy.conf" "$svc/run/fleetmodd.sock" >"$svc/fleetmodd.conf"
chown -R fleetmod:fleetmod "$svc"
chmod 0600 "$svc/client_secret" "$svc/sign_secret"
# setpriv execs (runuser would stay the parent and die of the signal too).
setpriv --reuid=fleetmod --regid=fleetmod --init-groups \
    env -u FLEETMOD_MODULE_PATH /usr/sbin/fleetmodd \
    --foreground --config "$svc/fleetmodd.conf" >"$svc/log" 2>&1 &
fmd_pid=$!
i=0
while [ ! -S "$svc/run/fleetmodd.sock" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
check "fleetmodd: configured, it starts as fleetmod and answers /v1/health" sh -c \
    'curl -sf --max-time 10 --unix-socket "$1/run/fleetmodd.sock" \
         http://localhost/v1/health >"$1/health"; rc=$?; cat "$1/health" "$1/log"
     [ $rc -eq 0 ] && grep -q "\"journal\"" "$1/health"' sh "$svc"
kill -TERM "$fmd_pid" 2>/dev/null
wait "$fmd_pid"
fmd_rc=$?
check "fleetmodd: SIGTERM stops it cleanly (exit 0)" test "$fmd_rc" -eq 0
rm -rf "$svc"

check "dpkg --purge removes the packages" dpkg --purge $PKGS
for p in $PKGS; do
    check "$p is gone from dpkg's database" sh -c \
        '! dpkg-query -W -f="\${Status}\n" "$1" 2>/dev/null | grep -q .' sh "$p"
    check "every file of $p is gone" sh -c \
        'while read -r f; do
             [ -d "$f" ] && continue
             [ -e "$f" ] || [ -L "$f" ] && echo "left: $f"
         done <"$1" | grep . && exit 1; exit 0' sh "$work/$p.list"
done
check "the moduledir is gone" test ! -e "$moduledir"
if [ -z "$etc_before" ]; then
    check "nothing is left under /etc/fleetmod" test ! -e /etc/fleetmod
fi
finish
