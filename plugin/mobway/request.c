/* request.c - a bounded scan, then msgpack-c, then the request's fields. */
#include "request.h"

#include <fleetmod/msgcheck.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_str(const msgpack_object *o)
{
    return strndup(o->via.str.ptr, o->via.str.size);
}

/* A str without embedded NULs, copied into *dst. */
static fleetmod_rc take_str(const msgpack_object *o, const char *key,
                            char **dst, char *why, size_t whylen)
{
    if (o->type != MSGPACK_OBJECT_STR ||
        memchr(o->via.str.ptr, '\0', o->via.str.size)) {
        snprintf(why, whylen, "'%s' must be a string", key);
        return FLEETMOD_EINVAL;
    }
    free(*dst);
    *dst = dup_str(o);
    return *dst ? FLEETMOD_OK : FLEETMOD_ENOMEM;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

/* A repeated key replaces the earlier list, as a repeated string key does. */
static fleetmod_rc take_list(const msgpack_object *o, const char *key,
                             char ***dst, size_t *n, char *why, size_t whylen)
{
    fleetmod_rc rc = FLEETMOD_OK;

    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0 ||
        o->via.array.size > MW_BATCH_MAX) {
        snprintf(why, whylen, "'%s' must be an array of 1 to %d strings", key,
                 MW_BATCH_MAX);
        return FLEETMOD_EINVAL;
    }
    free_list(*dst, *n);
    *n = 0;
    *dst = calloc(o->via.array.size, sizeof **dst);
    if (!*dst)
        return FLEETMOD_ENOMEM;
    *n = o->via.array.size;
    for (size_t i = 0; i < *n && rc == FLEETMOD_OK; i++)
        rc = take_str(&o->via.array.ptr[i], key, &(*dst)[i], why, whylen);
    return rc;
}

static fleetmod_rc take(struct mw_request *r, const char *k,
                        const msgpack_object *v, char *why, size_t whylen)
{
    static const char *const strs[] = {"vin", "command", "code", "id",
                                       "request_id"};
    char **dst[] = {&r->vin, &r->command, &r->code, &r->id, &r->request_id};

    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strcmp(k, strs[i]) == 0)
            return take_str(v, k, dst[i], why, whylen);
    if (strcmp(k, "vins") == 0)
        return take_list(v, k, &r->vins, &r->n_vins, why, whylen);
    if (strcmp(k, "ids") == 0)
        return take_list(v, k, &r->ids, &r->n_ids, why, whylen);
    if (strcmp(k, "wait_ms") == 0) {
        if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
            snprintf(why, whylen, "'wait_ms' must be an unsigned integer");
            return FLEETMOD_EINVAL;
        }
        r->wait_ms = v->via.u64;
    }
    return FLEETMOD_OK; /* unknown keys are ignored */
}

static fleetmod_rc take_map(struct mw_request *r, const msgpack_object *m,
                            char *why, size_t whylen)
{
    fleetmod_rc rc = FLEETMOD_OK;

    for (uint32_t i = 0; i < m->via.map.size && rc == FLEETMOD_OK; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        char key[32];
        if (k->type != MSGPACK_OBJECT_STR || k->via.str.size == 0 ||
            k->via.str.size >= sizeof key)
            continue; /* not a key we know */
        memcpy(key, k->via.str.ptr, k->via.str.size);
        key[k->via.str.size] = '\0';
        rc = take(r, key, &m->via.map.ptr[i].val, why, whylen);
    }
    return rc;
}

/* msgpack-c's own unpacked object starts with two 8 KiB blocks; a
 * request's objects (a few map pairs, or a batch's list) fit in a zone
 * that starts small and grows. */
#define ZONE_CHUNK 512

fleetmod_rc mw_request_decode(const char *req, size_t len, struct mw_request *r,
                              char *why, size_t whylen)
{
    msgpack_zone zone;
    msgpack_object obj;
    fleetmod_rc rc;

    memset(r, 0, sizeof *r);
    if (!req || len == 0 || len > FLEETMOD_MAX_REQUEST_BYTES) {
        snprintf(why, whylen, "the request must be 1 byte to 1 MiB");
        return FLEETMOD_EINVAL;
    }
    if (!msgpack_zone_init(&zone, ZONE_CHUNK))
        return FLEETMOD_ENOMEM;
    rc = fleetmod_msg_unpack(req, len, &zone, &obj);
    if (rc == FLEETMOD_EINVAL)
        snprintf(why, whylen, "the request is not exactly one msgpack value");
    else if (rc == FLEETMOD_OK && obj.type != MSGPACK_OBJECT_MAP) {
        snprintf(why, whylen, "the request is not a map");
        rc = FLEETMOD_EINVAL;
    } else if (rc == FLEETMOD_OK)
        rc = take_map(r, &obj, why, whylen);
    msgpack_zone_destroy(&zone);
    return rc;
}

void mw_request_free(struct mw_request *r)
{
    free(r->vin);
    free(r->command);
    free(r->code);
    free(r->id);
    free(r->request_id);
    free_list(r->vins, r->n_vins);
    free_list(r->ids, r->n_ids);
    memset(r, 0, sizeof *r);
}
