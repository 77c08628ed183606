/*
 * reply.c - a reply map decoded into struct fleetmod_reply.
 *
 * Replies come from modules, which may be buggy or hostile: every value's
 * type is checked, a value of the wrong type is treated as absent, and the
 * bytes are bounds-checked before msgpack-c unpacks them.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A NUL-terminated copy of a str value; NULL when v is absent or not a
 * str. Sets *oom when the copy could not be made. */
static const char *str_copy(const msgpack_object *v, int *oom)
{
    if (!v || v->type != MSGPACK_OBJECT_STR)
        return NULL;
    char *s = strndup(v->via.str.ptr, v->via.str.size);
    if (!s)
        *oom = 1;
    return s;
}

static bool has_str(const msgpack_object *map, const char *key)
{
    const msgpack_object *v = fm_map_get(map, key);
    return v && v->type == MSGPACK_OBJECT_STR;
}

static void decode_error(const msgpack_object *e, struct fleetmod_reply *r,
                         int *oom)
{
    struct fleetmod_reply_error *err = &r->error;
    int64_t n;
    r->has_error = true;
    err->code = fm_int_get(fm_map_get(e, "code"), &n) && n >= INT32_MIN &&
                        n <= INT32_MAX
                    ? (int)n
                    : FLEETMOD_EINTERNAL;
    err->name = str_copy(fm_map_get(e, "name"), oom);
    err->message = str_copy(fm_map_get(e, "message"), oom);
    err->http_status =
        fm_int_get(fm_map_get(e, "http_status"), &n) && n > 0 && n < 1000
            ? (int)n
            : 0;
    err->delivered = str_copy(fm_map_get(e, "delivered"), oom);
    err->retry_after_ms =
        fm_int_get(fm_map_get(e, "retry_after_ms"), &n) && n >= 0 ? n : -1;
    /* host.h promises name and message whenever has_error. */
    if (!err->name && !*oom)
        err->name = strdup(fleetmod_rc_name((fleetmod_rc)err->code));
    if (!err->message && !*oom)
        err->message = strdup(fleetmod_strerror((fleetmod_rc)err->code));
    if (!err->name || !err->message)
        *oom = 1;
}

static fleetmod_rc decode_map(const msgpack_object *o,
                              struct fleetmod_reply *r);

static fleetmod_rc decode_results(const msgpack_object *v,
                                  struct fleetmod_reply *r)
{
    if (!v || v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size == 0)
        return FLEETMOD_OK;
    r->results = calloc(v->via.array.size, sizeof *r->results);
    if (!r->results)
        return FLEETMOD_ENOMEM;
    r->n_results = v->via.array.size;
    for (size_t i = 0; i < r->n_results; i++) {
        fleetmod_rc rc = decode_map(&v->via.array.ptr[i], &r->results[i]);
        if (rc != FLEETMOD_OK)
            return rc;
    }
    return FLEETMOD_OK;
}

static void decode_time(const msgpack_object *map, const char *key, bool *has,
                        int64_t *out)
{
    *has = fm_int_get(fm_map_get(map, key), out);
}

static fleetmod_rc decode_map(const msgpack_object *o, struct fleetmod_reply *r)
{
    if (!has_str(o, "provider") || !has_str(o, "status"))
        return FLEETMOD_EINVAL;
    int oom = 0;
    r->provider = str_copy(fm_map_get(o, "provider"), &oom);
    r->status = str_copy(fm_map_get(o, "status"), &oom);
    const msgpack_object *t = fm_map_get(o, "terminal");
    r->terminal = t && t->type == MSGPACK_OBJECT_BOOLEAN && t->via.boolean;
    r->id = str_copy(fm_map_get(o, "id"), &oom);
    r->vin = str_copy(fm_map_get(o, "vin"), &oom);
    r->command = str_copy(fm_map_get(o, "command"), &oom);
    r->request_id = str_copy(fm_map_get(o, "request_id"), &oom);
    r->code = str_copy(fm_map_get(o, "code"), &oom);
    r->message = str_copy(fm_map_get(o, "message"), &oom);
    const msgpack_object *detail = fm_map_get(o, "detail");
    r->detail_text = str_copy(detail, &oom);
    r->has_detail_map = detail && detail->type == MSGPACK_OBJECT_MAP;
    decode_time(o, "created", &r->has_created, &r->created);
    decode_time(o, "updated", &r->has_updated, &r->updated);
    decode_time(o, "executed", &r->has_executed, &r->executed);
    const msgpack_object *e = fm_map_get(o, "error");
    if (e && e->type == MSGPACK_OBJECT_MAP)
        decode_error(e, r, &oom);
    if (oom)
        return FLEETMOD_ENOMEM;
    return decode_results(fm_map_get(o, "results"), r);
}

FLEETMOD_API fleetmod_rc fleetmod_reply_decode(const char *buf, size_t len,
                                               struct fleetmod_reply *out)
{
    memset(out, 0, sizeof *out);
    msgpack_zone zone;
    if (!msgpack_zone_init(&zone, MSGPACK_ZONE_CHUNK_SIZE))
        return FLEETMOD_ENOMEM;
    msgpack_object obj;
    fleetmod_rc rc = fm_msg_unpack(buf, len, &zone, &obj);
    if (rc == FLEETMOD_OK)
        rc = decode_map(&obj, out);
    msgpack_zone_destroy(&zone);
    if (rc == FLEETMOD_EINVAL)
        fleetmod_reply_free(out); /* and zeroes it, as host.h promises */
    return rc;
}

FLEETMOD_API void fleetmod_reply_free(struct fleetmod_reply *r)
{
    if (!r)
        return;
    const char *strs[] = {r->provider,   r->status,        r->id,
                          r->vin,        r->command,       r->request_id,
                          r->code,       r->message,       r->detail_text,
                          r->error.name, r->error.message, r->error.delivered};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free((char *)strs[i]);
    for (size_t i = 0; i < r->n_results; i++)
        fleetmod_reply_free(&r->results[i]);
    free(r->results);
    memset(r, 0, sizeof *r);
}
