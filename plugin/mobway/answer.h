/*
 * answer.h - reading Mobway's answer to a command or status request.
 *
 * Turns one finished exchange into the reply: the status and its fields on
 * a 2xx with the JSON expected, else the rc of errmap with Mobway's own
 * text kept verbatim. A 2xx that is not the JSON expected is EUNKNOWN:
 * the command may have run. So is a command POST taken (Pending, Success)
 * without an id of the shape status accepts (mw_id_valid), and any answer
 * whose id is of another shape. A status answer's vin and command fill
 * the reply's when they have the shapes the module sends.
 */
#ifndef MW_ANSWER_H
#define MW_ANSWER_H

#include "http.h"
#include "reply.h"

/* Fills r from ex, whatever its outcome. Returns r's rc. */
fleetmod_rc mw_answer_read(const struct mw_exchange *ex, struct mw_reply *r);

#endif
