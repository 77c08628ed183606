#!/bin/sh
# make demo: fleetmod end to end through fleetcmd.
#
#   sh examples/demo/demo.sh BUILD_DIR      (make demo builds first)
#
# Each step prints a one-line caption, then the exact command, then runs it
# and checks its exit status. A section is a provider: it sets TARGET (the
# fleetcmd options that select it) and the VINs, then calls the steps. To
# show another provider, write a section_NAME function and add it to main.
set -eu

cd "$(dirname "$0")/../.."
B=${1:?usage: demo.sh BUILD_DIR}
PATH=$B/bin:$PATH
export PATH

caption() {
    printf '\n== %s\n' "$*"
}

# run EXPECTED_STATUS fleetcmd ARGS...: print the command as typed, run it.
run() {
    expected=$1
    shift
    printf '$ %s\n' "$*"
    status=0
    "$@" || status=$?
    if [ "$status" -ne "$expected" ]; then
        echo "demo: expected exit status $expected, got $status" >&2
        exit 1
    fi
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

# ---- sections: one provider each ------------------------------------------

section_skeleton() {
    caption "Provider: the skeleton module (commands kept in memory, done after 2 s)"
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

main() {
    printf 'fleetcmd below is %s/bin/fleetcmd\n' "$B"
    section_skeleton
    printf '\ndemo: every step behaved as shown\n'
}

main
