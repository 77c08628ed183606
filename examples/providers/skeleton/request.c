/*
 * request.c - request bytes to struct sk_request, or EINVAL with a reason.
 *
 * Every bad-input rule of fleetmod/module.h lives here, before anything
 * else looks at the request: any byte string gets a decision, no byte
 * string gets a crash, a leak or a large allocation. Unknown keys are
 * ignored (forward compatibility). Keep this file as is in your provider;
 * if your backend has its own syntax for command ids, tighten sk_id_valid.
 */
#include <stdio.h>
#include <string.h>

#include "skeleton.h"

/* ISO 3779: 17 characters, digits and capitals except I, O and Q. */
bool sk_vin_valid(const char *s, size_t len)
{
    if (len != SK_VIN_SIZE - 1)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') ||
                  (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'Q');
        if (!ok)
            return false;
    }
    return true;
}

static bool all_in(const char *s, size_t len, size_t max, const char *set)
{
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\0' || !strchr(set, s[i]))
            return false;
    return true;
}

bool sk_command_valid(const char *s, size_t len)
{
    return all_in(s, len, SK_COMMAND_SIZE - 1,
                  "abcdefghijklmnopqrstuvwxyz0123456789_");
}

bool sk_id_valid(const char *s, size_t len)
{
    return all_in(s, len, SK_ID_SIZE - 1,
                  "abcdefghijklmnopqrstuvwxyz"
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
}

static bool code_valid(const char *s, size_t len)
{
    return len == SK_CODE_SIZE - 1 && all_in(s, len, len, "0123456789");
}

/* Decoding state: the map and where to say what went wrong. */
struct dec {
    const msgpack_object *map;
    char *why;
    size_t whylen;
};

static fleetmod_rc fail(struct dec *d, const char *fmt, const char *key)
{
    snprintf(d->why, d->whylen, fmt, key);
    return FLEETMOD_EINVAL;
}

/* Copy the string value of key into dst (size bytes) after checking it
 * with valid. Absent and not required: dst stays empty. */
static fleetmod_rc get_str(struct dec *d, const char *key, bool required,
                           bool (*valid)(const char *, size_t), char *dst,
                           size_t size)
{
    const msgpack_object *o = fleetmod_msg_map_get(d->map, key);

    if (!o)
        return required ? fail(d, "missing \"%s\"", key) : FLEETMOD_OK;
    if (o->type != MSGPACK_OBJECT_STR)
        return fail(d, "\"%s\" must be a string", key);
    if (o->via.str.size >= size || !valid(o->via.str.ptr, o->via.str.size))
        return fail(d, "\"%s\" has an invalid value", key);
    memcpy(dst, o->via.str.ptr, o->via.str.size);
    dst[o->via.str.size] = '\0';
    return FLEETMOD_OK;
}

/* "vins" or "ids": a non-empty array of at most SK_MAX_BATCH strings, and
 * never together with its single form. Each item's syntax is judged per
 * item later, so one bad VIN fails only its own result. */
static fleetmod_rc get_batch(struct dec *d, const char *key, const char *single,
                             struct sk_request *r)
{
    const msgpack_object *o = fleetmod_msg_map_get(d->map, key);

    if (!o)
        return FLEETMOD_OK;
    if (fleetmod_msg_map_get(d->map, single))
        return fail(d, "\"%s\" and its single form both given", key);
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return fail(d, "\"%s\" must be an array of strings", key);
    if (o->via.array.size == 0 || o->via.array.size > SK_MAX_BATCH)
        return fail(d, "\"%s\" must hold 1 to 1000 items", key);
    for (uint32_t i = 0; i < o->via.array.size; i++)
        if (o->via.array.ptr[i].type != MSGPACK_OBJECT_STR)
            return fail(d, "\"%s\" must be an array of strings", key);
    r->items = o->via.array.ptr;
    r->n_items = o->via.array.size;
    return FLEETMOD_OK;
}

static fleetmod_rc get_request_id(struct dec *d, struct sk_request *r)
{
    const msgpack_object *o = fleetmod_msg_map_get(d->map, "request_id");

    if (!o)
        return FLEETMOD_OK;
    if (o->type != MSGPACK_OBJECT_STR || o->via.str.size > SK_MAX_REQUEST_ID)
        return fail(d, "\"%s\" must be a string of at most 128 bytes",
                    "request_id");
    r->request_id = (struct sk_str){o->via.str.ptr, o->via.str.size};
    return FLEETMOD_OK;
}

static fleetmod_rc get_wait(struct dec *d, struct sk_request *r)
{
    const msgpack_object *o = fleetmod_msg_map_get(d->map, "wait_ms");

    if (!o)
        return FLEETMOD_OK;
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return fail(d, "\"%s\" must be an unsigned integer", "wait_ms");
    r->wait_ms = o->via.u64;
    return FLEETMOD_OK;
}

/* The fields of each call, in the order a person would check them. */
static fleetmod_rc fields(struct dec *d, enum sk_call call,
                          struct sk_request *r)
{
    fleetmod_rc rc = FLEETMOD_OK;

    switch (call) {
    case SK_SEND:
        if (!(rc = get_batch(d, "vins", "vin", r)))
            rc = get_str(d, "vin", !r->items, sk_vin_valid, r->vin,
                         sizeof r->vin);
        break;
    case SK_CONFIRM:
        if (!(rc =
                  get_str(d, "vin", true, sk_vin_valid, r->vin, sizeof r->vin)))
            rc = get_str(d, "code", true, code_valid, r->code, sizeof r->code);
        break;
    case SK_STATUS:
        if (!(rc = get_batch(d, "ids", "id", r)) &&
            !(rc = get_str(d, "id", !r->items, sk_id_valid, r->id,
                           sizeof r->id)))
            rc = get_wait(d, r);
        return rc;
    }
    if (rc)
        return rc;
    return get_str(d, "command", true, sk_command_valid, r->command,
                   sizeof r->command);
}

fleetmod_rc sk_request_decode(enum sk_call call, const char *buf, size_t len,
                              msgpack_zone *zone, struct sk_request *r,
                              char *why, size_t whylen)
{
    msgpack_object obj;
    fleetmod_rc rc;

    memset(r, 0, sizeof *r);
    snprintf(why, whylen, "the request is not one msgpack map");
    if (!buf || len == 0 || len > FLEETMOD_MAX_REQUEST_BYTES) {
        snprintf(why, whylen, "the request must be 1 byte to 1 MiB long");
        return FLEETMOD_EINVAL;
    }
    /* fleetmod_msg_unpack checks the sizes the bytes claim before
     * msgpack-c allocates for them. */
    if ((rc = fleetmod_msg_unpack(buf, len, zone, &obj)) == FLEETMOD_ENOMEM)
        snprintf(why, whylen, "out of memory");
    if (rc)
        return rc;
    if (obj.type != MSGPACK_OBJECT_MAP)
        return FLEETMOD_EINVAL;

    struct dec d = {&obj, why, whylen};
    rc = get_request_id(&d, r);
    return rc ? rc : fields(&d, call, r);
}
