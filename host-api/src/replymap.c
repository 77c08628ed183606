/*
 * replymap.c - a reply read by key (struct fleetmod_reply_map), so that a
 * host can read keys that struct fleetmod_reply, frozen by the 1.0 ABI,
 * has no member for.
 *
 * The bytes are checked and unpacked once; every string is then copied,
 * NUL-terminated, into the same zone, so the map owns everything it hands
 * out and the caller's buffer may go. A map of results[i] is a pointer to
 * that item's object inside its parent's tree: it is freed with the parent.
 * Inside this file a struct fleetmod_reply_map pointer is always a
 * msgpack_object pointer in disguise; the struct itself is never defined.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct decoded {
    msgpack_zone zone;
    msgpack_object top;
};

static const msgpack_object *obj(const struct fleetmod_reply_map *m)
{
    return (const msgpack_object *)(const void *)m;
}

static const struct fleetmod_reply_map *map_of(const msgpack_object *o)
{
    return (const struct fleetmod_reply_map *)(const void *)o;
}

/* Every str in o (keys too) replaced by a NUL-terminated copy in zone.
 * Depth is bounded by the check fm_msg_unpack made. False on ENOMEM. */
static bool own_strings(msgpack_object *o, msgpack_zone *zone)
{
    if (o->type == MSGPACK_OBJECT_STR) {
        char *s = msgpack_zone_malloc(zone, (size_t)o->via.str.size + 1);
        if (!s)
            return false;
        memcpy(s, o->via.str.ptr, o->via.str.size);
        s[o->via.str.size] = '\0';
        o->via.str.ptr = s;
    } else if (o->type == MSGPACK_OBJECT_ARRAY) {
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            if (!own_strings(&o->via.array.ptr[i], zone))
                return false;
        }
    } else if (o->type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            if (!own_strings(&o->via.map.ptr[i].key, zone) ||
                !own_strings(&o->via.map.ptr[i].val, zone))
                return false;
        }
    }
    return true;
}

FLEETMOD_API fleetmod_rc fleetmod_reply_map_decode(
    const char *buf, size_t len, struct fleetmod_reply_map **out)
{
    if (!out)
        return FLEETMOD_EINVAL;
    *out = NULL;
    if (!buf && len)
        return FLEETMOD_EINVAL;
    struct decoded *d = malloc(sizeof *d);
    if (!d)
        return FLEETMOD_ENOMEM;
    if (!msgpack_zone_init(&d->zone, MSGPACK_ZONE_CHUNK_SIZE)) {
        free(d);
        return FLEETMOD_ENOMEM;
    }
    fleetmod_rc rc = fm_msg_unpack(buf, len, &d->zone, &d->top);
    if (rc == FLEETMOD_OK && d->top.type != MSGPACK_OBJECT_MAP)
        rc = FLEETMOD_EINVAL;
    if (rc == FLEETMOD_OK && !own_strings(&d->top, &d->zone))
        rc = FLEETMOD_ENOMEM;
    if (rc != FLEETMOD_OK) {
        msgpack_zone_destroy(&d->zone);
        free(d);
        return rc;
    }
    *out = (struct fleetmod_reply_map *)(void *)&d->top;
    return FLEETMOD_OK;
}

FLEETMOD_API void fleetmod_reply_map_free(struct fleetmod_reply_map *m)
{
    if (!m)
        return;
    struct decoded *d =
        (struct decoded *)(void *)((char *)m - offsetof(struct decoded, top));
    msgpack_zone_destroy(&d->zone);
    free(d);
}

/* The value at a dotted path ("error.code"): each part a key of the map
 * the previous part named. NULL when any part is missing. */
static const msgpack_object *lookup(const struct fleetmod_reply_map *m,
                                    const char *path)
{
    if (!m || !path)
        return NULL;
    const msgpack_object *o = obj(m);
    char key[128];
    while (o) {
        size_t n = strcspn(path, ".");
        if (n == 0 || n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = fm_map_get(o, key);
        if (!path[n])
            return o;
        path += n + 1;
    }
    return NULL;
}

bool fm_int_get(const msgpack_object *v, int64_t *out)
{
    if (!v)
        return false;
    if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = v->via.i64;
        return true;
    }
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
        v->via.u64 <= (uint64_t)INT64_MAX) {
        *out = (int64_t)v->via.u64;
        return true;
    }
    return false;
}

FLEETMOD_API const char *
fleetmod_reply_get_str(const struct fleetmod_reply_map *m, const char *key)
{
    const msgpack_object *v = lookup(m, key);
    /* A string with a NUL inside would read as a shorter one: absent. */
    if (!v || v->type != MSGPACK_OBJECT_STR ||
        memchr(v->via.str.ptr, '\0', v->via.str.size))
        return NULL;
    return v->via.str.ptr;
}

FLEETMOD_API bool fleetmod_reply_get_int(const struct fleetmod_reply_map *m,
                                         const char *key, int64_t *out)
{
    return out && fm_int_get(lookup(m, key), out);
}

FLEETMOD_API bool fleetmod_reply_get_bool(const struct fleetmod_reply_map *m,
                                          const char *key, bool *out)
{
    const msgpack_object *v = lookup(m, key);
    if (!v || !out || v->type != MSGPACK_OBJECT_BOOLEAN)
        return false;
    *out = v->via.boolean;
    return true;
}

FLEETMOD_API size_t fleetmod_reply_count(const struct fleetmod_reply_map *m,
                                         const char *key)
{
    const msgpack_object *v = lookup(m, key);
    return v && v->type == MSGPACK_OBJECT_ARRAY ? v->via.array.size : 0;
}

FLEETMOD_API const struct fleetmod_reply_map *
fleetmod_reply_item(const struct fleetmod_reply_map *m, const char *key,
                    size_t i)
{
    const msgpack_object *v = lookup(m, key);
    if (!v || v->type != MSGPACK_OBJECT_ARRAY || i >= v->via.array.size ||
        v->via.array.ptr[i].type != MSGPACK_OBJECT_MAP)
        return NULL;
    return map_of(&v->via.array.ptr[i]);
}
