#!/bin/sh
# make demo: fleetmod end to end through fleetcmd.
#
#   sh examples/demo/demo.sh BUILD_DIR      (make demo builds first)
#
# Each step prints a one-line caption, then the exact command, then runs it
# and checks its exit status. A section is a provider: it sets TARGET (the
# fleetcmd options that select it) and the VINs, then calls the steps. To
# show another provider, write a section_NAME function and add it to main.
#
# The Mobway section runs mobway.so against mobway-sim, the local stand-in
# for the Mobway API, on a free loopback port; the simulator is stopped and
# the temporary files removed on every exit, also when a step fails. The
# journal section runs the same through a policy file: every command
# journaled in an SQLite file of the demo's temporary directory.
set -eu

cd "$(dirname "$0")/../.."
B=${1:?usage: demo.sh BUILD_DIR}
PATH=$B/bin:$PATH
export PATH

# shellcheck source=tests/lib/mobway-sim.sh
. tests/lib/mobway-sim.sh

DEMO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fleetmod-demo.XXXXXX")

cleanup() {
    sim_stop || :
    rm -rf "$DEMO_DIR"
}
trap cleanup EXIT
trap 'exit 130' HUP INT TERM

caption() {
    printf '\n== %s\n' "$*"
}

expect_status() {
    if [ "$1" -ne "$2" ]; then
        echo "demo: expected exit status $2, got $1" >&2
        exit 1
    fi
}

# run EXPECTED_STATUS fleetcmd ARGS...: print the command as typed, run it.
run() {
    expected=$1
    shift
    printf '$ %s\n' "$*"
    status=0
    "$@" || status=$?
    expect_status "$status" "$expected"
}

# run_to FILE EXPECTED_STATUS fleetcmd ARGS...: the same, stdout into FILE,
# which is then shown.
run_to() {
    file=$1
    expected=$2
    shift 2
    printf '$ %s > %s\n' "$*" "$file"
    status=0
    "$@" >"$file" || status=$?
    cat "$file"
    expect_status "$status" "$expected"
}

# ---- steps: one thing each, for the provider the section chose ----------

step_modules() {
    caption "The modules fleetcmd finds on FLEETMOD_MODULE_PATH, with their versions"
    printf '$ FLEETMOD_MODULE_PATH=%s fleetcmd modules\n' "$B/modules"
    FLEETMOD_MODULE_PATH=$B/modules fleetcmd modules
}

step_location() {
    caption "A location command, waited (--wait) until the vehicle answers: success"
    # shellcheck disable=SC2086 # TARGET is a list of options
    run 0 fleetcmd $TARGET send "$VIN" location --wait 10
}

step_door() {
    caption "A door command without --wait: lock_door is accepted (pending) and fleetcmd returns at once"
    # shellcheck disable=SC2086
    run 0 fleetcmd $TARGET send "$VIN" lock_door
}

step_ignition() {
    caption "disable_ignition needs confirmation: --yes confirms with the provider's code, then waits"
    # shellcheck disable=SC2086
    run 0 fleetcmd $TARGET send "$VIN" disable_ignition --yes --wait 10
}

step_json() {
    caption "The same for scripts: each reply as one JSON line (--json)"
    # shellcheck disable=SC2086
    run 0 fleetcmd $TARGET --json send "$VIN" location --wait 10
}

step_error() {
    caption "An error: a VIN the account does not have, EDENIED on stderr, exit status 4"
    # shellcheck disable=SC2086
    run 4 fleetcmd $TARGET send "$UNKNOWN_VIN" location
}

# ---- Mobway: the simulator, the module's config, the mission -------------

# The account of mobway-sim's built-in fixtures. Secrets live in files only
# the owner can read: mobway.so refuses any other, as ssh does keys.
write_mobway_config() {
    (
        umask 077
        echo demo-secret >"$DEMO_DIR/client_secret"
        echo demo-sign-secret >"$DEMO_DIR/sign_secret"
    )
    cat >"$DEMO_DIR/mobway.conf" <<EOF
[mobway]
base_url = $SIM_URL
; plain http only because the simulator listens on loopback
allow_http = true
client_id = demo-client
client_secret_file = $DEMO_DIR/client_secret
sign_secret_file = $DEMO_DIR/sign_secret
EOF
}

step_mobway_config() {
    caption "mobway.so's config for the simulator (secrets in 0600 files, never in the config)"
    printf '$ cat %s\n' "$DEMO_DIR/mobway.conf"
    cat "$DEMO_DIR/mobway.conf"
}

step_mobway_diagnostics() {
    caption "diagnostics on $VIN, waited until the vehicle reports: success with its data"
    # shellcheck disable=SC2086
    run 0 fleetcmd $TARGET send "$VIN" diagnostics --wait 10
}

step_mobway_door() {
    caption "A door command: lock_door on $DOOR_VIN is accepted (pending) and fleetcmd returns at once"
    # shellcheck disable=SC2086
    run 0 fleetcmd $TARGET send "$DOOR_VIN" lock_door
}

# read_code FILE: the confirmation code of the JSON reply in FILE into
# $code, showing the command that reads it.
read_code() {
    parse='s/.*"code":"\([0-9]\{6\}\)".*/\1/p'
    printf "\$ sed -n '%s' %s\n" "$parse" "$1"
    code=$(sed -n "$parse" "$1")
    if [ -z "$code" ]; then
        echo "demo: no confirmation code in the reply" >&2
        exit 1
    fi
}

# No terminal here, so fleetcmd does not ask: it prints the provider's
# message and the code and stops. A script keeps the code from --json.
step_mobway_ignition() {
    caption "disable_ignition asks for confirmation: with no --yes and no terminal, fleetcmd prints Mobway's message and code, runs nothing, exits 22 (not confirmed)"
    # shellcheck disable=SC2086
    run_to "$DEMO_DIR/reply.json" 22 fleetcmd $TARGET --json send "$VIN" \
        disable_ignition
    caption "A script takes the code from the JSON reply"
    read_code "$DEMO_DIR/reply.json"
    printf '%s\n' "$code"
    caption "A person read the message and agrees: confirm with that code, waited to success"
    # shellcheck disable=SC2086
    run 0 fleetcmd $TARGET confirm "$VIN" disable_ignition "$code" --wait 5
}

step_mobway_errors() {
    caption "An error in Mobway's own words: $ERR_VIN has no location in this account, EDENIED, exit status 4"
    # shellcheck disable=SC2086
    run 4 fleetcmd $TARGET send "$ERR_VIN" location
    caption "A vehicle that fails: the call works, the command ends in status error with the provider's text, exit status 21"
    # shellcheck disable=SC2086
    run 21 fleetcmd $TARGET send "$ERR_VIN" diagnostics --wait 10
}

step_mobway_batch() {
    caption "A batch: location for the three vehicles of fleet.txt in one call, a line each (the third is denied on its own, so the exit status is 23)"
    printf '# the demo fleet\n%s\n%s\n%s\n' "$VIN" "$DOOR_VIN" "$ERR_VIN" \
        >"$DEMO_DIR/fleet.txt"
    run 0 cat "$DEMO_DIR/fleet.txt"
    # shellcheck disable=SC2086
    run 23 fleetcmd $TARGET send --vins-file "$DEMO_DIR/fleet.txt" location \
        --wait 10
}

# ---- the journal and its guards: a policy in front of mobway.so -----------

write_policy() {
    cat >"$DEMO_DIR/policy.conf" <<EOF
[journal]
; the embedded SQLite journal: a file, no setup
url = sqlite:$DEMO_DIR/journal.db

[command *]
; a second press of a command still under way is refused
duplicate = reject
duplicate_window = 120

[command disable_ignition]
reason = required
EOF
    caption "A policy file (fleetmod-policy(5)): its journal and its guards"
    run 0 cat "$DEMO_DIR/policy.conf"
}

step_journal_send() {
    caption "A command through the policy: journaled before it is sent, the reply names its row (journal=...)"
    # shellcheck disable=SC2086
    run 0 fleetcmd $TARGET send "$DOOR_VIN" lock_door --reason ticket-4711
}

step_journal_duplicate() {
    caption "The same command again while the first is under way: refused (exit 13, reason duplicate), nothing sent"
    # shellcheck disable=SC2086
    run 13 fleetcmd $TARGET send "$DOOR_VIN" lock_door
}

step_journal_deadline() {
    caption "disable_ignition with a reason and a 1 s deadline: it asks confirmation (exit 22)"
    # shellcheck disable=SC2086
    run_to "$DEMO_DIR/ignition.json" 22 fleetcmd $TARGET --json send "$VIN" \
        disable_ignition --reason police-report-4711 --deadline 1
    read_code "$DEMO_DIR/ignition.json"
    caption "Two seconds later the deadline has passed: the confirm is refused (exit 13, reason expired), the vehicle is not touched"
    run 0 sleep 2
    # shellcheck disable=SC2086
    run 13 fleetcmd $TARGET confirm "$VIN" disable_ignition "$code" \
        --reason police-report-4711
}

step_journal_read() {
    caption "The journal: every command, refusals too, with who asked (the login name) and its state"
    run 0 fleetcmd --policy "$DEMO_DIR/policy.conf" journal
    caption "Its hash chains verified: a changed or deleted event would be named (exit 24)"
    run 0 fleetcmd --policy "$DEMO_DIR/policy.conf" journal verify
    caption "Stats per provider and command (--openmetrics for node_exporter)"
    run 0 fleetcmd --policy "$DEMO_DIR/policy.conf" journal stats
}

# ---- sections: one provider each ------------------------------------------

section_mobway() {
    sim_start "$B/bin/mobway-sim" --complete-ms 1500
    caption "Provider: Mobway (mobway.so) against mobway-sim on $SIM_URL; commands complete after 1.5 s"
    write_mobway_config
    TARGET="-m $B/modules/mobway.so -c $DEMO_DIR/mobway.conf"
    VIN=6AHFT68CKAF501652
    DOOR_VIN=9BWZZZ377VT004251
    ERR_VIN=1HGCM82633A004352
    step_mobway_config
    step_mobway_diagnostics
    step_mobway_door
    step_mobway_ignition
    step_mobway_errors
    step_mobway_batch
    sim_stop
}

section_skeleton() {
    caption "Provider: the skeleton module: the same fleetcmd, no rebuild, only -m and -c change (commands kept in memory, done after 2 s)"
    TARGET="-m $B/modules/skeleton.so -c examples/providers/skeleton/skeleton.conf"
    VIN=WP0ZZZ99ZTS392124
    UNKNOWN_VIN=WVWZZZ1JZXW000001
    step_modules
    step_location
    step_door
    step_ignition
    step_json
    step_error
}

section_journal() {
    sim_start "$B/bin/mobway-sim" --complete-ms 1500
    caption "The journal and its guards: mobway.so against mobway-sim on $SIM_URL, through a policy file"
    write_mobway_config
    write_policy
    TARGET="-m $B/modules/mobway.so -c $DEMO_DIR/mobway.conf --policy $DEMO_DIR/policy.conf"
    VIN=6AHFT68CKAF501652
    DOOR_VIN=9BWZZZ377VT004251
    step_journal_send
    step_journal_duplicate
    step_journal_deadline
    step_journal_read
    sim_stop
}

main() {
    printf 'fleetcmd below is %s/bin/fleetcmd\n' "$B"
    section_mobway
    section_skeleton
    section_journal
    sh service/fleetmodd/demo.sh "$B"
    printf '\ndemo: every step behaved as shown\n'
}

main
