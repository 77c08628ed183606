#!/bin/sh
# The README's host example, exactly as printed: its C block is saved as
# host.c, built with the `cc` line printed below it and run with the
# `./host` line printed below that, against a mobway-sim started here.
# The caller points pkg-config, the loader and the module search at an
# install or at the build tree (PKG_CONFIG_PATH, LD_LIBRARY_PATH,
# FLEETMOD_MODULE_PATH), as the README tells its readers to.
#
#   sh packaging/readme-host.sh README.md WORKDIR MOBWAY_SIM SYSCONFDIR
#
# WORKDIR is where host.c, host and the secrets go; SYSCONFDIR stands for
# /etc in the printed run line, and SYSCONFDIR/fleetmod/mobway.conf is
# (re)written to point at the simulator, as an administrator would.
# Closes with "N passed, N failed".
set -u
[ $# -eq 4 ] || { echo "usage: sh $0 README WORKDIR MOBWAY_SIM SYSCONFDIR" >&2; exit 64; }
readme=$1 work=$2 sim=$3 etc=$4
. tests/lib/mobway-sim.sh
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
    failed=$((failed + 1))
    echo "not ok - $1"
    for f in "$work/out" "$work/err"; do
        [ -f "$f" ] && sed 's/^/#   /' "$f"
    done
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
trap 'sim_stop' EXIT

mkdir -p "$work" "$etc/fleetmod"
# The first C block of the README, and the first indented `cc ` and
# `./host` lines after it.
awk '/^```c$/ { inb = 1; next } inb && /^```$/ { exit } inb' "$readme" \
    >"$work/host.c"
build=$(awk '/^```c$/ { seen = 1 } seen && /^    cc / { sub(/^    /, ""); print; exit }' "$readme")
run=$(awk '/^```c$/ { seen = 1 } seen && /^    \.\/host / { sub(/^    /, ""); print; exit }' "$readme")
if [ ! -s "$work/host.c" ] || [ -z "$build" ] || [ -z "$run" ]; then
    : >"$work/out"; : >"$work/err"
    not_ok "the README has a C block with a cc line and a ./host line after it"
    finish
fi
ok "the README has a C block with a cc line and a ./host line after it"

if (cd "$work" && sh -c "$build") >"$work/out" 2>"$work/err"; then
    ok "host.c builds as printed: $build"
else
    not_ok "host.c builds as printed: $build"
    finish
fi

sim_start "$sim" || { not_ok "mobway-sim starts"; finish; }
printf 'demo-secret\n' >"$work/client_secret"
printf 'demo-sign-secret\n' >"$work/sign_secret"
chmod 600 "$work/client_secret" "$work/sign_secret"
printf '[mobway]\nbase_url = %s\nallow_http = true\nclient_id = demo-client\nclient_secret_file = %s\nsign_secret_file = %s\n' \
    "$SIM_URL" "$work/client_secret" "$work/sign_secret" \
    >"$etc/fleetmod/mobway.conf"

# The printed run line, with this test's SYSCONFDIR for /etc.
run_here=$(printf '%s\n' "$run" | sed "s|/etc/|$etc/|g")
(cd "$work" && sh -c "$run_here") >"$work/out" 2>"$work/err"
rc=$?
if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, "not one line"
body, _, tail = lines[0].rpartition(" (")
r = json.loads(body)
assert r["provider"] == "mobway" and r["status"] == "pending", r
assert r["vin"] == "6AHFT68CKAF501652" and r["id"], r
assert tail == "success)", tail
' "$work/out" 2>>"$work/err"; then
    ok "it prints mobway-sim's reply as the README says (exit 0)"
else
    not_ok "it prints mobway-sim's reply as the README says (exit $rc)"
fi
if grep -q '^module log (6): ' "$work/err"; then
    ok "it shows the module's log line of the call"
else
    not_ok "it shows the module's log line of the call"
fi
finish
