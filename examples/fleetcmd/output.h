/*
 * output.h - how replies are shown.
 *
 * --json: each reply map as one line of JSON on stdout, exactly as the
 * module wrote it (fleetmod_msg_to_json), for scripts.
 * Otherwise a short summary on stdout for people:
 *
 *     success  location  WP0ZZZ99ZTS392124  id=8619b2df-...
 *       provider=skeleton
 *       executed=2024-05-01T12:00:03Z
 *       latitude=-23.5505
 *
 * In both modes a call that failed (rc != 0) gets one line on stderr:
 *
 *     fleetcmd: EDENIED: VIN not found (delivered: no)
 */
#ifndef FLEETCMD_OUTPUT_H
#define FLEETCMD_OUTPUT_H

#include <stdbool.h>

#include "session.h"

void fc_output_reply(bool json, const struct fc_exchange *x);

/* The same for the status that ends a wait on a command this run started
 * (or confirmed): the summary line names the vehicle and command of
 * started when the status reply leaves them out, as Mobway's do. --json
 * prints the reply as written. */
void fc_output_waited(bool json, const struct fc_exchange *x,
                      const struct fleetmod_reply *started);

/* The same for a reply that asks for confirmation right before the y/N
 * prompt, which shows the provider's message: the summary leaves it out,
 * so that the person reads it once. */
void fc_output_asking(bool json, const struct fc_exchange *x);

/* Only the stderr line of a failed call (x->rc != 0). */
void fc_output_error(const struct fc_exchange *x);

#endif
