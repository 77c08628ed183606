/*
 * exit.h - fleetcmd's exit status, for scripts:
 *
 *    0      done as asked: accepted (without --wait), success (with it),
 *           or a status look that found the command pending or done
 *    1-13   the rc of the call that failed (EINVAL ... EREFUSED)
 *    20     still pending when --wait ran out
 *    21     the provider or the vehicle reported the command failed
 *           (status "error")
 *    22     not confirmed: the provider asked for confirmation and it was
 *           declined or left for later; nothing was executed
 *    23     a batch with an item not done as asked (its own line says why);
 *           reconcile: a row whose status could not be asked (it stays)
 *    24     journal verify: an event does not match its hash chain
 *    64     usage error, or a batch's list file is wrong
 *
 * `fleetcmd send VIN disable_ignition --yes --wait 60 && mark_done` runs
 * mark_done only when the vehicle did it.
 */
#ifndef FLEETCMD_EXIT_H
#define FLEETCMD_EXIT_H

#include <stdbool.h>

#include <fleetmod/host.h>

#define FC_EXIT_PENDING 20
#define FC_EXIT_ERROR 21
#define FC_EXIT_UNCONFIRMED 22
#define FC_EXIT_BATCH 23
#define FC_EXIT_TAMPERED 24

/* The exit status of a call that answered r with rc; waited: r is the last
 * status of a --wait, so "pending" means the time ran out. */
int fc_exit_of(fleetmod_rc rc, const struct fleetmod_reply *r, bool waited);

#endif
