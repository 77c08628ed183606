#!/bin/sh
# The thread stress of one module instance against a mobway-sim whose
# tokens live one second (renewals race with calls) and whose commands
# complete after 50 ms.
#
#   sh tests/stress/run.sh STRESS MODULE SIM THREADS CALLS_PER_THREAD
#
# Under ThreadSanitizer (make check-tsan) a data race or lock-order
# report makes STRESS exit non-zero (halt_on_error); the suppressions in
# tests/stress/tsan.supp cover only code that is not ours.
set -u
STRESS=$1 MODULE=$2 SIM_BIN=$3 THREADS=$4 CALLS=$5
. tests/lib/mobway-sim.sh

sim_start "$SIM_BIN" --token-ttl 1 --complete-ms 50 || exit 1
trap 'sim_stop' EXIT INT TERM
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 exitcode=66 \
suppressions=tests/stress/tsan.supp ${TSAN_OPTIONS:-}" \
    "$STRESS" "$MODULE" "$SIM_URL" "$THREADS" "$CALLS"
