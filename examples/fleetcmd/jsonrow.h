/*
 * jsonrow.h - the journal's rows and events as JSON objects (jansson), for
 * `fleetcmd journal --json` and `journal show --json`. The keys are the
 * columns of the view fleetmod_commands (fleetmod-journal(7)) and the
 * fields of guard.h's structs, by the same names; a string or time that
 * is unset, an rc or latency that is unknown, is null.
 */
#ifndef FLEETCMD_JSONROW_H
#define FLEETCMD_JSONROW_H

#include <jansson.h>

#include <fleetmod/host.h>

/* New references; NULL when memory ran out. */
json_t *fc_json_row(const struct fleetmod_journal_row *r);
json_t *fc_json_event(const struct fleetmod_journal_event *e);

/* Print o as one line of compact JSON on stdout; 0, or -1 (said on
 * stderr) when memory ran out. */
int fc_json_print(const json_t *o);

#endif
