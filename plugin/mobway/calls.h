/*
 * calls.h - what send, confirm and status do for one vehicle or command,
 * and for batches of them.
 *
 * Each fills a reply and returns its rc. Validation comes first, so a
 * malformed item never reaches the network.
 */
#ifndef MW_CALLS_H
#define MW_CALLS_H

#include "instance.h"
#include "reply.h"
#include "request.h"

/* POST /vehicle-command for vin (code: the confirm step, else NULL). */
fleetmod_rc mw_call_command(struct fleetmod_instance *inst, const char *vin,
                            const char *command, const char *code,
                            struct mw_reply *r);

/* GET /vehicle-command/{id}, polling up to wait_ms until terminal. */
fleetmod_rc mw_call_status(struct fleetmod_instance *inst, const char *id,
                           uint64_t wait_ms, struct mw_reply *r);

/* The batch forms: one reply per item in out (n items, each initialised
 * by the caller), run concurrently on this thread. */
void mw_call_command_batch(struct fleetmod_instance *inst, char **vins,
                           const char *command, struct mw_reply *out, size_t n);
void mw_call_status_batch(struct fleetmod_instance *inst, char **ids,
                          uint64_t wait_ms, struct mw_reply *out, size_t n);

#endif
