/*
 * hint.h - the command lines fleetcmd suggests on stderr, written so that
 * a POSIX shell runs them as shown: each carries the options of this run
 * that chose the provider (-m, -c, -s; --provider for a stack) and its
 * --policy, so that the line pasted reaches the same provider through the
 * same guards, and quotes what needs quoting.
 */
#ifndef FLEETCMD_HINT_H
#define FLEETCMD_HINT_H

#include <fleetmod/host.h>

#include "args.h"

/* "  fleetcmd [-m M -c C | -s S] [--policy F] confirm VIN COMMAND CODE
 * [--reason R] [--provider P]" and a newline on stderr; the code and
 * provider come from r, the reply that asked for confirmation, the reason
 * from this run's --reason. */
void fc_hint_confirm(const struct fc_args *a, const char *vin,
                     const char *command, const struct fleetmod_reply *r);

/* "  fleetcmd [-m M -c C | -s S] [--policy F] status ID [--provider P]" and
 * a newline on stderr (provider: the reply's, or NULL). */
void fc_hint_status(const struct fc_args *a, const char *id,
                    const char *provider);

/* "  fleetcmd [-m M -c C | -s S] [--policy F] status --ids-file FILE
 * [--provider P]" and a newline on stderr: FILE is for the reader to fill
 * in, P is this run's --provider. */
void fc_hint_status_file(const struct fc_args *a);

#endif
