#include "stats.h"

#include <stdatomic.h>
#include <stdio.h>

#define STATUS_SLOTS 600

static const char *const route_names[ROUTE_COUNT] = {
    "POST /token",
    "POST /vehicle-command",
    "GET /vehicle-command/{id}",
    "/_sim",
    "other",
};

static atomic_ulong requests[ROUTE_COUNT][STATUS_SLOTS];
static atomic_ulong connections;
static atomic_ulong tls_handshakes;

static void bump(atomic_ulong *counter)
{
    atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

void stats_request(enum sim_route route, unsigned status)
{
    bump(&requests[route][status < STATUS_SLOTS ? status : 0]);
}

void stats_connection(void)
{
    bump(&connections);
}

void stats_tls_handshake(void)
{
    bump(&tls_handshakes);
}

void stats_reset(void)
{
    for (int r = 0; r < ROUTE_COUNT; r++)
        for (int s = 0; s < STATUS_SLOTS; s++)
            atomic_store(&requests[r][s], 0);
    atomic_store(&connections, 0);
    atomic_store(&tls_handshakes, 0);
}

static json_t *route_json(int route)
{
    json_t *by_status = json_object();
    for (int s = 0; s < STATUS_SLOTS; s++) {
        unsigned long n = atomic_load(&requests[route][s]);
        char key[16];
        snprintf(key, sizeof key, "%d", s);
        if (n)
            json_object_set_new(by_status, s ? key : "closed",
                                json_integer((json_int_t)n));
    }
    return by_status;
}

void stats_add_json(json_t *obj)
{
    json_t *all = json_object();
    for (int r = 0; r < ROUTE_COUNT; r++)
        json_object_set_new(all, route_names[r], route_json(r));
    json_object_set_new(obj, "requests", all);
    json_object_set_new(obj, "connections_accepted",
                        json_integer((json_int_t)atomic_load(&connections)));
    json_object_set_new(obj, "tls_handshakes",
                        json_integer((json_int_t)atomic_load(&tls_handshakes)));
}
