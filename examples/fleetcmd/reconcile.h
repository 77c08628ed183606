/*
 * reconcile.h - `fleetcmd reconcile [--wait SECONDS] [--call-bound
 * SECONDS]`: settle the journal after a crash or a lost answer
 * (fleetmod_guard_reconcile in fleetmod/guard.h), through the guard of the
 * run's policy file, in front of -m or the stack as for send.
 *
 * Every unresolved or non-terminal command with a provider id is asked
 * about with one status call (--wait: waiting up to SECONDS for a terminal
 * status), and the answer is journaled; every command still "sending"
 * without a provider id (its answer never came) and older than
 * --call-bound SECONDS (default FC_CALL_BOUND_DEFAULT; the longest a call
 * to the module can take) is marked "unknown": it may have run. No command
 * is ever sent again.
 *
 * Prints one line: what was asked, settled, marked unknown and what could
 * not be asked. On a terminal a progress line shows while it runs.
 * Returns 0, FC_EXIT_BATCH when a status call failed (those commands stay
 * unresolved: run it again), or the rc of a call that failed.
 */
#ifndef FLEETCMD_RECONCILE_H
#define FLEETCMD_RECONCILE_H

#include "args.h"

int fc_cmd_reconcile(const struct fc_args *a);

#endif
