/* Answers: every response leaves through here so that the counters see
 * every request exactly once. */
#ifndef SIM_REPLY_H
#define SIM_REPLY_H

#include "stats.h"

#include <jansson.h>
#include <microhttpd.h>

/* Queues response (destroyed here) with status and counts it. */
enum MHD_Result reply_send(struct MHD_Connection *c, enum sim_route route,
                           unsigned status, struct MHD_Response *response);

/* Sends body (reference stolen) as compact JSON. */
enum MHD_Result reply_json(struct MHD_Connection *c, enum sim_route route,
                           unsigned status, json_t *body);

/* Sends {"detail": text}, the error shape of the Mobway API. */
enum MHD_Result reply_detail(struct MHD_Connection *c, enum sim_route route,
                             unsigned status, const char *text);

/* Counts the request as unanswered and makes libmicrohttpd close the
 * connection without a response. */
enum MHD_Result reply_close(enum sim_route route);

#endif
