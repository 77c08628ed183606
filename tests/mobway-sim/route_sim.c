/* The simulator's own routes, for tests: GET /_sim/stats (counters),
 * GET|POST /_sim/faults (read or change the faults), POST /_sim/reset
 * (zero the counters and forget every command). No authentication. */
#include "faults.h"
#include "reply.h"
#include "sim.h"

#define ROUTE ROUTE_SIM

enum MHD_Result route_sim_stats(struct sim *s, struct MHD_Connection *c,
                                struct request *rq)
{
    (void)rq;
    json_t *body = json_object();
    stats_add_json(body);
    store_add_json(s->store, body);
    return reply_json(c, ROUTE, 200, body);
}

enum MHD_Result route_sim_faults(struct sim *s, struct MHD_Connection *c,
                                 struct request *rq)
{
    (void)s;
    if (rq->len == 0) /* GET, or a POST that changes nothing */
        return reply_json(c, ROUTE, 200, faults_json());
    char err[128];
    json_t *body = json_loadb(rq->body, rq->len, 0, NULL);
    int rc = faults_apply_json(body, err, sizeof err);
    json_decref(body);
    if (rc < 0)
        return reply_detail(c, ROUTE, 400, err);
    return reply_json(c, ROUTE, 200, faults_json());
}

enum MHD_Result route_sim_reset(struct sim *s, struct MHD_Connection *c,
                                struct request *rq)
{
    (void)rq;
    store_reset(s->store);
    stats_reset();
    return reply_json(c, ROUTE, 200, json_pack("{s:b}", "reset", 1));
}
