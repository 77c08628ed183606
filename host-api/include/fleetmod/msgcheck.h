/*
 * fleetmod/msgcheck.h - reading msgpack from a stranger: the sizes it
 * claims checked before msgpack-c believes them, then unpacking and map
 * lookup.
 *
 * msgpack-c's unpacker trusts the sizes a message claims: five bytes
 * (0xdf ff ff ff ff) announce a map of four billion entries, and it
 * allocates room for them before noticing the bytes are missing. Every
 * reader of untrusted msgpack in fleetmod (a module reading a request,
 * libfleetmod and the conformance tool reading a module's reply) runs
 * fleetmod_msg_check first, so that unpacking then costs at most a small
 * multiple of the message's length.
 *
 * Header only, like fleetmod_error_name in module.h: a module includes it
 * and links nothing but msgpack-c, which it uses anyway. Every function is
 * static inline, pure, thread-safe and never blocks.
 */
#ifndef FLEETMOD_MSGCHECK_H
#define FLEETMOD_MSGCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <msgpack.h>

#include <fleetmod/module.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Containers nested deeper than this are refused: msgpack-c's unpacker has
 * a fixed stack of this size (MSGPACK_EMBED_STACK_SIZE) and reports a
 * deeper message as out of memory, which would hide real allocation
 * failures. */
#define FLEETMOD_MSG_MAX_DEPTH 32

/* One object's header, as fleetmod_msg_check reads it: the bytes of the
 * header itself, the bytes of its value, whether it is an array or a map,
 * and how many objects it contains (a map's pairs count twice). Not for
 * callers. */
struct fleetmod_msg_head {
    size_t head;
    uint64_t payload;
    bool container;
    uint64_t children;
};

/* Reads the header at p (avail >= 1 bytes left) into *h. False for 0xc1
 * (never used) and for a header cut short. Not for callers. */
static inline bool fleetmod_msg_head_read(const unsigned char *p, size_t avail,
                                          struct fleetmod_msg_head *h)
{
    /* What a first byte in 0xc4..0xdf announces: how many big-endian length
     * bytes follow it, how many fixed bytes follow those (the value of a
     * number, the type byte of an ext), and what the length counts. */
    enum { FIXED, BYTES, ITEMS, PAIRS };
    static const struct {
        unsigned char len_bytes, fixed, kind;
    } wide[] = {
        {1, 0, BYTES}, {2, 0, BYTES},  {4, 0, BYTES}, /* c4-c6 bin 8/16/32 */
        {1, 1, BYTES}, {2, 1, BYTES},  {4, 1, BYTES}, /* c7-c9 ext 8/16/32 */
        {0, 4, FIXED}, {0, 8, FIXED},                 /* ca-cb float 32/64 */
        {0, 1, FIXED}, {0, 2, FIXED},  {0, 4, FIXED}, /* cc-ce uint 8/16/32 */
        {0, 8, FIXED}, {0, 1, FIXED},  {0, 2, FIXED}, /* cf uint64, d0-d1 int */
        {0, 4, FIXED}, {0, 8, FIXED},                 /* d2-d3 int 32/64 */
        {0, 2, FIXED}, {0, 3, FIXED},  {0, 5, FIXED}, /* d4-d6 fixext 1/2/4 */
        {0, 9, FIXED}, {0, 17, FIXED},                /* d7-d8 fixext 8/16 */
        {1, 0, BYTES}, {2, 0, BYTES},  {4, 0, BYTES}, /* d9-db str 8/16/32 */
        {2, 0, ITEMS}, {4, 0, ITEMS},                 /* dc-dd array 16/32 */
        {2, 0, PAIRS}, {4, 0, PAIRS},                 /* de-df map 16/32 */
    };
    unsigned char b = p[0];
    uint64_t n = 0;

    *h = (struct fleetmod_msg_head){1, 0, false, 0};
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return true; /* fixint, nil, bool */
    if (b <= 0x9f) {
        h->container = true;
        h->children = (b & 0x0fu) * (b <= 0x8f ? 2u : 1u); /* fixmap/array */
        return true;
    }
    if (b <= 0xbf) {
        h->payload = b & 0x1fu; /* fixstr */
        return true;
    }
    if (b < 0xc4)
        return false; /* 0xc1 */
    if (avail < 1 + (size_t)wide[b - 0xc4].len_bytes)
        return false;
    for (unsigned i = 0; i < wide[b - 0xc4].len_bytes; i++)
        n = n << 8 | p[1 + i];
    h->head = 1 + (size_t)wide[b - 0xc4].len_bytes;
    h->payload = wide[b - 0xc4].fixed;
    if (wide[b - 0xc4].kind == BYTES)
        h->payload += n;
    else if (wide[b - 0xc4].kind != FIXED) {
        h->container = true;
        h->children = wide[b - 0xc4].kind == PAIRS ? 2 * n : n;
    }
    return true;
}

/*
 * The length of the one msgpack object at the start of buf, or 0 when buf
 * does not start with a complete, well-formed object whose claimed sizes
 * (str/bin/ext lengths, array/map counts) all fit in the len bytes, nested
 * at most FLEETMOD_MSG_MAX_DEPTH containers deep. Bytes after the object
 * are not looked at: compare the result with len to ask for exactly one
 * object. Reads only headers; stops as soon as the objects still owed
 * outnumber the bytes left (every object takes at least one byte), so it
 * runs in time linear in len and allocates nothing. buf may be NULL when
 * len is 0.
 */
static inline size_t fleetmod_msg_check(const char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf;
    uint64_t left[FLEETMOD_MSG_MAX_DEPTH + 1]; /* objects owed per level */
    uint64_t owed = 1;                         /* the sum of left[] */
    unsigned depth = 0;
    size_t pos = 0;
    struct fleetmod_msg_head h;

    left[0] = 1;
    while (owed > 0) {
        while (left[depth] == 0)
            depth--;
        left[depth]--;
        owed--;
        if (pos >= len || !fleetmod_msg_head_read(p + pos, len - pos, &h))
            return 0;
        pos += h.head;
        if (h.payload > len - pos)
            return 0;
        pos += (size_t)h.payload;
        /* msgpack-c counts an empty container against its stack too. */
        if (h.container && depth == FLEETMOD_MSG_MAX_DEPTH)
            return 0;
        if (h.children == 0)
            continue;
        if (owed + h.children > len - pos)
            return 0;
        left[++depth] = h.children;
        owed += h.children;
    }
    return pos;
}

/*
 * Unpacks buf, which must hold exactly one object and nothing after it,
 * into *obj; the objects live in zone (msgpack_zone_init'ed by the caller,
 * who destroys it after the last use of *obj). FLEETMOD_OK;
 * FLEETMOD_EINVAL when buf is empty, fails fleetmod_msg_check or holds
 * more than one object; FLEETMOD_ENOMEM when the zone cannot grow.
 */
static inline fleetmod_rc fleetmod_msg_unpack(const char *buf, size_t len,
                                              msgpack_zone *zone,
                                              msgpack_object *obj)
{
    size_t off = 0;

    if (len == 0 || fleetmod_msg_check(buf, len) != len)
        return FLEETMOD_EINVAL;
    switch (msgpack_unpack(buf, len, &off, zone, obj)) {
    case MSGPACK_UNPACK_SUCCESS:
        return FLEETMOD_OK;
    case MSGPACK_UNPACK_NOMEM_ERROR:
        return FLEETMOD_ENOMEM;
    default:
        return FLEETMOD_EINVAL;
    }
}

/*
 * The value of the string key key in map, or NULL when map is NULL, not a
 * map, or has no such key. A key given twice: the last one wins, as in
 * most msgpack and JSON readers, so that a host routing on a key and the
 * module acting on it read the same value.
 */
static inline const msgpack_object *
fleetmod_msg_map_get(const msgpack_object *map, const char *key)
{
    const msgpack_object *found = NULL;
    size_t n = strlen(key);

    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        /* msgpack-c gives an empty str a NULL ptr: no memcmp of it. */
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
            (n == 0 || memcmp(k->via.str.ptr, key, n) == 0))
            found = &map->via.map.ptr[i].val;
    }
    return found;
}

#ifdef __cplusplus
}
#endif

#endif /* FLEETMOD_MSGCHECK_H */
