/* GET /vehicle-command/{id}: the status of a command of the caller's
 * company. "Confirmation" until an ignition command's second step,
 * "Pending" for --complete-ms after it executed, then "Success" with the
 * command's detail, or "Error" with a text for a vehicle marked failing.
 * "updated" equals "created" until the command has moved on. 401 for a bad
 * token, 404 "Command not found or unauthorized access." for an unknown,
 * expired or foreign id. */
#include "clock.h"
#include "detail.h"
#include "reply.h"
#include "sim.h"
#include "token.h"

#define ROUTE ROUTE_COMMAND_GET

static json_t *status_json(const struct sim *s, const struct store_cmd *sc)
{
    int64_t done_ms = sc->exec_ms + s->cfg.complete_ms;
    int64_t updated_ms = sc->exec_ms ? sc->exec_ms : sc->created_ms;
    const char *status = sc->exec_ms ? "Pending" : "Confirmation";
    json_t *detail = NULL;
    char updated[CLOCK_BRT_LEN];
    if (sc->exec_ms && clock_now_ms() >= done_ms) {
        bool failed = s->fx.vehicles[sc->vehicle].fail == FAIL_ERROR;
        updated_ms = done_ms;
        clock_brt(updated_ms, updated);
        status = failed ? "Error" : "Success";
        detail = failed ? json_string(detail_vehicle_error)
                        : detail_success(sc->cmd, updated);
    }
    clock_brt(updated_ms, updated);
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "id", sc->id, "vin",
                     s->fx.vehicles[sc->vehicle].vin, "command",
                     sim_cmd_names[sc->cmd], "status", status, "detail",
                     detail ? detail : json_object(), "updated", updated);
}

enum MHD_Result route_command_get(struct sim *s, struct MHD_Connection *c,
                                  struct request *rq)
{
    int company;
    struct store_cmd sc;
    enum token_check tc = token_verify(
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
        &s->fx, &company);
    if (tc != TOKEN_OK)
        return reply_detail(c, ROUTE, 401, token_check_text(tc));
    if (!store_get(s->store, rq->arg, company, &sc))
        return reply_detail(c, ROUTE, 404,
                            "Command not found or unauthorized access.");
    return reply_json(c, ROUTE, 200, status_json(s, &sc));
}
