/*
 * msgcheck.c - bounds on msgpack bytes before msgpack-c sees them.
 *
 * msgpack-c trusts the sizes a message claims: five bytes announcing a map
 * of four billion entries make it allocate for four billion entries. So
 * every container and string header is checked against the bytes that are
 * really there first; after that, unpacking costs at most a small multiple
 * of the message's length.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* Big-endian unsigned integer of n bytes at p. */
static uint64_t be(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* The shape of one object header. */
struct head {
    size_t head;     /* bytes of the header itself, length fields included */
    size_t lenbytes; /* bytes of a big-endian payload length after the tag */
    uint64_t body;   /* payload bytes (known or read from lenbytes) */
    uint64_t items;  /* child objects (arrays: n, maps: 2n) */
    int bad;         /* 0xc1, never used */
};

static struct head fixed(size_t head, uint64_t body)
{
    return (struct head){.head = head, .body = body};
}

/* Length-prefixed kinds: str/bin (extra 0), ext (extra 1 type byte). */
static struct head sized(size_t lenbytes, size_t extra)
{
    return (struct head){.head = 1 + lenbytes + extra, .lenbytes = lenbytes};
}

static struct head container(size_t lenbytes, uint64_t per_entry)
{
    return (struct head){
        .head = 1 + lenbytes, .lenbytes = lenbytes, .items = per_entry};
}

static struct head classify(unsigned char t)
{
    if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
        return fixed(1, 0);
    if (t <= 0x8f)
        return (struct head){.head = 1, .items = 2 * (uint64_t)(t & 0x0f)};
    if (t <= 0x9f)
        return (struct head){.head = 1, .items = t & 0x0f};
    if (t <= 0xbf)
        return fixed(1, t & 0x1f);
    switch (t) {
    case 0xc4:
    case 0xc5:
    case 0xc6:
        return sized((size_t)1 << (t - 0xc4), 0);
    case 0xc7:
    case 0xc8:
    case 0xc9:
        return sized((size_t)1 << (t - 0xc7), 1);
    case 0xca:
        return fixed(1, 4);
    case 0xcb:
        return fixed(1, 8);
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        return fixed(1, (uint64_t)1 << (t - 0xcc));
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
        return fixed(1, (uint64_t)1 << (t - 0xd0));
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
        return fixed(2, (uint64_t)1 << (t - 0xd4));
    case 0xd9:
    case 0xda:
    case 0xdb:
        return sized((size_t)1 << (t - 0xd9), 0);
    case 0xdc:
    case 0xdd:
        return container((size_t)2 << (t - 0xdc), 1);
    case 0xde:
    case 0xdf:
        return container((size_t)2 << (t - 0xde), 2);
    default:
        return (struct head){.bad = 1};
    }
}

/* Read the header at p (avail bytes left). Returns its total length
 * (header + payload), 0 if it does not fit; *items gets the children. */
static size_t object_span(const unsigned char *p, size_t avail, uint64_t *items)
{
    struct head h = classify(p[0]);
    if (h.bad || h.head > avail)
        return 0;
    if (h.lenbytes > 0) {
        uint64_t n = be(p + 1, h.lenbytes);
        if (h.items > 0)
            h.items *= n; /* a container: n entries */
        else
            h.body = n;
    }
    *items = h.items;
    if (h.body > avail - h.head)
        return 0;
    return h.head + (size_t)h.body;
}

size_t fm_msg_check(const char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf;
    /* left[d]: objects still expected at depth d; depth 0 is the root. */
    uint64_t left[FM_MSG_MAX_DEPTH + 1] = {1};
    size_t depth = 0, pos = 0;
    while (1) {
        while (left[depth] == 0) {
            if (depth == 0)
                return pos;
            depth--;
        }
        if (pos >= len)
            return 0;
        uint64_t items = 0;
        size_t span = object_span(p + pos, len - pos, &items);
        if (span == 0)
            return 0;
        pos += span;
        left[depth]--;
        if (items > 0) {
            /* Every child takes at least one byte. */
            if (items > len - pos || depth == FM_MSG_MAX_DEPTH)
                return 0;
            left[++depth] = items;
        }
    }
}

fleetmod_rc fm_msg_unpack(const char *buf, size_t len, msgpack_zone *zone,
                          msgpack_object *obj)
{
    if (len == 0 || fm_msg_check(buf, len) != len)
        return FLEETMOD_EINVAL;
    size_t off = 0;
    switch (msgpack_unpack(buf, len, &off, zone, obj)) {
    case MSGPACK_UNPACK_SUCCESS:
        return FLEETMOD_OK;
    case MSGPACK_UNPACK_NOMEM_ERROR:
        return FLEETMOD_ENOMEM;
    default:
        return FLEETMOD_EINVAL;
    }
}

const msgpack_object *fm_map_get(const msgpack_object *obj, const char *key)
{
    if (obj->type != MSGPACK_OBJECT_MAP)
        return NULL;
    size_t n = strlen(key);
    const msgpack_object_map *m = &obj->via.map;
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
            memcmp(k->via.str.ptr, key, n) == 0)
            return &m->ptr[i].val;
    }
    return NULL;
}
