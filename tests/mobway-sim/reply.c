#include "reply.h"

#include <stdlib.h>
#include <string.h>

enum MHD_Result reply_send(struct MHD_Connection *c, enum sim_route route,
                           unsigned status, struct MHD_Response *response)
{
    if (!response)
        return reply_close(route);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    enum MHD_Result ok = MHD_queue_response(c, status, response);
    MHD_destroy_response(response);
    stats_request(route, ok == MHD_YES ? status : 0);
    return ok;
}

enum MHD_Result reply_json(struct MHD_Connection *c, enum sim_route route,
                           unsigned status, json_t *body)
{
    /* 15 significant digits print the docs' values as written (43.47, not
     * 43.469999999999999) and still round-trip them. */
    char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(body);
    struct MHD_Response *response = NULL;
    if (text) {
        response = MHD_create_response_from_buffer(strlen(text), text,
                                                   MHD_RESPMEM_MUST_FREE);
        if (!response)
            free(text);
    }
    return reply_send(c, route, status, response);
}

enum MHD_Result reply_detail(struct MHD_Connection *c, enum sim_route route,
                             unsigned status, const char *text)
{
    return reply_json(c, route, status, json_pack("{s:s}", "detail", text));
}

enum MHD_Result reply_close(enum sim_route route)
{
    stats_request(route, 0);
    return MHD_NO;
}
