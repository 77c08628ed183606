/* request.c - a bounded scan, then msgpack-c, then the request's fields. */
#include "request.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

/* Big-endian unsigned integer of n bytes at p. */
static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Size of a fixed-width value by first byte, or 0 when not fixed-width. */
static size_t fixed_size(unsigned char b)
{
    static const unsigned char sizes[] = {/* c0..df */ 1,
                                          0,
                                          1,
                                          1,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          5,
                                          9,
                                          2,
                                          3,
                                          5,
                                          9,
                                          2,
                                          3,
                                          5,
                                          9,
                                          3,
                                          4,
                                          6,
                                          10,
                                          18,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0};

    if (b < 0x80 || b >= 0xe0)
        return 1;
    return b >= 0xc0 ? sizes[b - 0xc0] : 0;
}

static const unsigned char *skip(const unsigned char *p,
                                 const unsigned char *end, int depth);

/* Skips n items (2n for a map) after checking they can fit. */
static const unsigned char *skip_items(const unsigned char *p,
                                       const unsigned char *end, uint64_t n,
                                       int depth)
{
    /* msgpack-c holds at most MAX_DEPTH open containers (depth counts
     * from 0), and reports more as out of memory: refuse them here. */
    if (depth >= MAX_DEPTH || n > (uint64_t)(end - p))
        return NULL;
    for (uint64_t i = 0; i < n && p; i++)
        p = skip(p, end, depth + 1);
    return p;
}

/* Header length of a str/bin/ext/array/map by its first byte. */
static size_t var_header_len(unsigned char b)
{
    if (b >= 0x80 && b <= 0xbf)
        return 1;
    switch (b) {
    case 0xc4:
    case 0xc7:
    case 0xd9:
        return 2;
    case 0xc5:
    case 0xc8:
    case 0xda:
    case 0xdc:
    case 0xde:
        return 3;
    default:
        return 5;
    }
}

/* Header length and payload length of a str/bin/ext at p, or -1. */
static int blob_header(const unsigned char *p, uint64_t *len)
{
    unsigned char b = p[0];

    if (b >= 0xa0 && b <= 0xbf) {
        *len = b & 0x1f;
        return 1;
    }
    switch (b) {
    case 0xc4:
    case 0xd9:
        *len = be(p + 1, 1);
        return 2;
    case 0xc5:
    case 0xda:
        *len = be(p + 1, 2);
        return 3;
    case 0xc6:
    case 0xdb:
        *len = be(p + 1, 4);
        return 5;
    case 0xc7:
        *len = be(p + 1, 1) + 1;
        return 2;
    case 0xc8:
        *len = be(p + 1, 2) + 1;
        return 3;
    case 0xc9:
        *len = be(p + 1, 4) + 1;
        return 5;
    default:
        return -1;
    }
}

/* Container header: element count (pairs doubled) and header length. */
static int container_header(const unsigned char *p, uint64_t *n)
{
    unsigned char b = p[0];

    if (b >= 0x80 && b <= 0x9f) {
        *n = (uint64_t)(b & 0x0f) * (b < 0x90 ? 2 : 1);
        return 1;
    }
    switch (b) {
    case 0xdc:
        *n = be(p + 1, 2);
        return 3;
    case 0xdd:
        *n = be(p + 1, 4);
        return 5;
    case 0xde:
        *n = be(p + 1, 2) * 2;
        return 3;
    case 0xdf:
        *n = be(p + 1, 4) * 2;
        return 5;
    default:
        return -1;
    }
}

/* Returns the end of the value at p, or NULL when it does not fit. */
static const unsigned char *skip(const unsigned char *p,
                                 const unsigned char *end, int depth)
{
    size_t fixed;
    uint64_t n;
    int h;

    if (p >= end)
        return NULL;
    fixed = fixed_size(*p);
    if (fixed)
        return fixed <= (size_t)(end - p) ? p + fixed : NULL;
    if ((size_t)(end - p) < var_header_len(*p))
        return NULL;
    if ((h = blob_header(p, &n)) > 0)
        return n <= (uint64_t)(end - p - h) ? p + h + n : NULL;
    if ((h = container_header(p, &n)) > 0)
        return skip_items(p + h, end, n, depth);
    return NULL;
}

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
    const unsigned char *p = (const unsigned char *)req;
    msgpack_zone zone;
    msgpack_object obj;
    size_t off = 0;
    fleetmod_rc rc = FLEETMOD_EINVAL;

    memset(r, 0, sizeof *r);
    if (!req || len == 0 || len > FLEETMOD_MAX_REQUEST_BYTES) {
        snprintf(why, whylen, "the request must be 1 byte to 1 MiB");
        return FLEETMOD_EINVAL;
    }
    if (skip(p, p + len, 0) != p + len) {
        snprintf(why, whylen, "the request is not exactly one msgpack value");
        return FLEETMOD_EINVAL;
    }
    if (!msgpack_zone_init(&zone, ZONE_CHUNK))
        return FLEETMOD_ENOMEM;
    if (msgpack_unpack(req, len, &off, &zone, &obj) != MSGPACK_UNPACK_SUCCESS)
        rc = FLEETMOD_ENOMEM; /* the scan proved it well-formed */
    else if (obj.type != MSGPACK_OBJECT_MAP)
        snprintf(why, whylen, "the request is not a map");
    else
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
