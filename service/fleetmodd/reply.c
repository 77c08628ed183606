/*
 * reply.c - what a request gets back: the reply map as JSON with the
 * HTTP status of its rc (fleetmodd(8)'s table), or, when nothing reached a
 * module because the request itself was wrong, the service's own reply
 * map of the same shape. A client reads one shape and always finds
 * error.delivered.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "fmd.h"

int fmd_http_status(fleetmod_rc rc, bool created)
{
    switch (rc) {
    case FLEETMOD_OK:
        return created ? 201 : 200;
    case FLEETMOD_EINVAL:
        return 400;
    case FLEETMOD_EREFUSED:
        return 409;
    case FLEETMOD_EDENIED:
        return 403;
    case FLEETMOD_ENOTFOUND:
        return 404;
    case FLEETMOD_ECONFIRM:
        return 422;
    case FLEETMOD_ERATELIMIT:
        return 429;
    case FLEETMOD_EUNREACHABLE:
        return 503;
    case FLEETMOD_EUNKNOWN:
        return 504;
    case FLEETMOD_EAUTH:
    case FLEETMOD_EPROVIDER:
        return 502;
    default:
        return 500;
    }
}

void fmd_answer_error(struct fmd_answer *a, int status, fleetmod_rc rc,
                      const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_pack(
        "{s:s, s:s, s:b, s:{s:i, s:s, s:s, s:s}}", "provider", "fleetmodd",
        "status", "failed", "terminal", 1, "error", "code", (int)rc, "name",
        fleetmod_rc_name(rc), "message", msg, "delivered", "no");
    a->status = status;
    a->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
}

void fmd_answer_reply(struct fmd_answer *a, fleetmod_rc rc, bool created,
                      const struct fleetmod_buf *reply)
{
    char *json =
        reply->len ? fleetmod_msg_to_json(reply->data, reply->len) : NULL;
    if (!json) {
        fmd_answer_error(a, 500, FLEETMOD_EINTERNAL,
                         "the guard wrote no reply map (rc %s)",
                         fleetmod_rc_name(rc));
        return;
    }
    a->status = fmd_http_status(rc, created);
    a->body = json;
    struct fleetmod_reply_map *m = NULL;
    int64_t ms;
    if (fleetmod_reply_map_decode(reply->data, reply->len, &m) == FLEETMOD_OK &&
        fleetmod_reply_get_int(m, "error.retry_after_ms", &ms) && ms > 0)
        a->retry_after = (unsigned)((ms + 999) / 1000);
    else if (rc == FLEETMOD_ERATELIMIT)
        a->retry_after = 1;
    fleetmod_reply_map_free(m);
}
