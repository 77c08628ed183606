/*
 * msgsize.c - refuse messages that claim more than they hold.
 *
 * msgpack-c's unpacker believes the sizes written in a message: five bytes
 * (0xdf ff ff ff ff) claim a map of four billion entries, and it allocates
 * room for them before noticing the bytes are missing. This walk reads only
 * the headers, keeps the number of objects still owed, and stops as soon as
 * more is owed than bytes remain (every object takes at least one byte).
 * After it passes, msgpack-c allocates at most in proportion to the length.
 *
 * Keep this file as is in your provider.
 */
#include <stdint.h>

#include "msgsize.h"

/* What a first byte in 0xc4..0xdf announces: how many big-endian length
 * bytes follow it, how many fixed bytes follow those (the value of a number,
 * the type byte of an ext), and what the length counts. 0xc1 is unused. */
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

/* One object's header: its own bytes, the bytes of its value, and how many
 * objects it contains. */
struct head {
    size_t head;
    uint64_t payload;
    uint64_t children;
};

static bool read_head(const unsigned char *p, size_t avail, struct head *h)
{
    unsigned char b = p[0];

    *h = (struct head){1, 0, 0};
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return true; /* fixint, nil, bool */
    if (b <= 0x8f) {
        h->children = 2u * (b & 0x0fu); /* fixmap */
        return true;
    }
    if (b <= 0x9f) {
        h->children = b & 0x0fu; /* fixarray */
        return true;
    }
    if (b <= 0xbf) {
        h->payload = b & 0x1fu; /* fixstr */
        return true;
    }
    if (b < 0xc4)
        return false; /* 0xc1: never used */

    unsigned len_bytes = wide[b - 0xc4].len_bytes;
    uint64_t n = 0;
    if (avail < 1 + (size_t)len_bytes)
        return false;
    for (unsigned i = 0; i < len_bytes; i++)
        n = n << 8 | p[1 + i];
    h->head = 1 + len_bytes;
    h->payload = wide[b - 0xc4].fixed;
    switch (wide[b - 0xc4].kind) {
    case BYTES:
        h->payload += n;
        break;
    case ITEMS:
        h->children = n;
        break;
    case PAIRS:
        h->children = 2 * n;
        break;
    }
    return true;
}

bool sk_msgpack_sizes_ok(const char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf;
    uint64_t left[SK_MSGPACK_DEPTH + 1]; /* objects still to read per level */
    uint64_t owed = 1;                   /* the sum of left[] */
    unsigned depth = 0;
    size_t pos = 0;
    struct head h;

    left[0] = 1;
    while (owed > 0) {
        while (left[depth] == 0)
            depth--;
        left[depth]--;
        owed--;
        if (pos >= len || !read_head(p + pos, len - pos, &h))
            return false;
        pos += h.head;
        if (h.payload > len - pos)
            return false;
        pos += h.payload;
        if (h.children == 0)
            continue;
        if (depth == SK_MSGPACK_DEPTH || owed + h.children > len - pos)
            return false;
        left[++depth] = h.children;
        owed += h.children;
    }
    return true;
}
