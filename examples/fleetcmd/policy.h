/*
 * policy.h - which policy file (fleetmod-policy(5)) a run uses: --policy
 * FILE, else the default policy file when it exists, else none (the calls
 * go straight to the modules, unjournaled).
 */
#ifndef FLEETCMD_POLICY_H
#define FLEETCMD_POLICY_H

#include "args.h"

/* The policy file of this run, or NULL when there is none. */
const char *fc_policy_path(const struct fc_args *a);

/* The same for the journal commands and reconcile, which need one: NULL
 * after saying on stderr that there is none (and where the default would
 * be). */
const char *fc_policy_needed(const struct fc_args *a, const char *what);

#endif
