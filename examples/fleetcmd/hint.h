/*
 * hint.h - the command lines fleetcmd suggests on stderr, written so that
 * a POSIX shell runs them as shown.
 */
#ifndef FLEETCMD_HINT_H
#define FLEETCMD_HINT_H

#include <fleetmod/host.h>

#include "args.h"

/* "  fleetcmd [-m M -c C | -s S] confirm VIN COMMAND CODE [--provider P]"
 * and a newline on stderr, with the target options of this run; the code
 * and provider come from r, the reply that asked for confirmation. */
void fc_hint_confirm(const struct fc_args *a, const char *vin,
                     const char *command, const struct fleetmod_reply *r);

#endif
