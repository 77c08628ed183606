/* Counters served on GET /_sim/stats: requests per route and HTTP status,
 * connections accepted and TLS handshakes. Command counters live with the
 * commands (store.h). Lock-free: every worker thread bumps them. */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <jansson.h>

enum sim_route {
    ROUTE_TOKEN,        /* POST /token */
    ROUTE_COMMAND_POST, /* POST /vehicle-command */
    ROUTE_COMMAND_GET,  /* GET /vehicle-command/{id} */
    ROUTE_SIM,          /* /_sim/... */
    ROUTE_OTHER,        /* anything else (404/405) */
    ROUTE_COUNT
};

/* Status 0 records a connection closed without an answer. */
void stats_request(enum sim_route route, unsigned status);
void stats_connection(void);
void stats_tls_handshake(void);
void stats_reset(void);

/* Adds "requests" ({"POST /token": {"200": n, "closed": n}, ...}),
 * "connections_accepted" and "tls_handshakes" to obj. */
void stats_add_json(json_t *obj);

#endif
