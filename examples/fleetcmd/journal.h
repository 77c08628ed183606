/*
 * journal.h - `fleetcmd journal`: the command journal of the run's policy
 * file (fleetmod-journal(7)), read through libfleetmod and printed. The
 * journal is only read: nothing is sent and no module is loaded.
 *
 *   journal [--vin VIN] [--since DURATION] [--unresolved] [--json]
 *       The commands, newest first: a table on stdout and a count line;
 *       --json: one JSON object per command and line (the columns of the
 *       view fleetmod_commands, null where unset).
 *   journal show ID [--json]
 *       One command and every event of its history, in order; --json: one
 *       JSON object, the command's columns plus "events".
 *   journal verify
 *       Walk every host's hash chain; exit 0 when intact, else exit
 *       FC_EXIT_TAMPERED naming the first event that does not match.
 *
 * Each returns fleetcmd's exit status: 0, the rc of a call that failed
 * (said on stderr: ECONFIG for a missing policy or journal, ENOTFOUND for
 * show of an unknown id), or FC_EXIT_TAMPERED.
 */
#ifndef FLEETCMD_JOURNAL_H
#define FLEETCMD_JOURNAL_H

#include <fleetmod/host.h>

#include "args.h"

int fc_cmd_journal(const struct fc_args *a);
int fc_cmd_journal_show(const struct fc_args *a);
int fc_cmd_journal_verify(const struct fc_args *a);

/* Open the journal of the run's policy file for reading (what: the
 * command, for the message when there is no policy file), logging through
 * *host, which the caller keeps until the journal is closed. On failure
 * it has said why on stderr and returns the rc; *j is NULL. */
fleetmod_rc fc_journal_open(const struct fc_args *a, const char *what,
                            struct fleetmod_host *host,
                            struct fleetmod_journal **j);

/* "fleetcmd: NAME: ERR" on stderr for an rc other than FLEETMOD_OK;
 * returns rc. */
int fc_journal_failed(fleetmod_rc rc, const char *err);

#endif
