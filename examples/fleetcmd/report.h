/*
 * report.h - how a batch is shown.
 *
 * Without --json, a table on stdout, one line per item in list order, and
 * a count line:
 *
 *     VIN                STATUS   RESULT
 *     6AHFT68CKAF501652  success  c6c175f4-2289-4804-af54-97ff40671f59
 *     1HGCM82633A004352  failed   EDENIED: VIN not found or unauthorized ...
 *     2 items: 1 success, 1 failed
 *
 * RESULT is the command id (a status batch: the VIN when the reply names
 * it), "code=NNNNNN" when the item asks for confirmation, the provider's
 * text when the vehicle failed, or the error's name and message (and a
 * policy's refusal its reason: "EREFUSED: ... (reason: duplicate)"). With
 * --json, each item's latest reply map as one JSON line instead (see
 * fc_items_take). In both modes stderr says how many items failed, lists
 * the confirm command of each item that asks for confirmation, and after
 * --wait says how many are still pending.
 *
 * Returns the batch's exit status: 0 when every item is done as asked (each
 * started or done without --wait, each a success with it), else
 * FC_EXIT_BATCH.
 */
#ifndef FLEETCMD_REPORT_H
#define FLEETCMD_REPORT_H

#include <stdint.h>

#include "args.h"
#include "items.h"

int fc_report(const struct fc_args *a, const struct fc_items *b);

/* The progress line on a terminal, rewritten in place:
 * "batch: 12/300 done, 2 failed, 3.2 s". */
void fc_report_progress(const struct fc_items *b, uint64_t elapsed_ms);
/* Erase it (before anything else is printed). */
void fc_report_progress_end(void);

#endif
