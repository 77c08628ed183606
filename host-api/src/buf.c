/*
 * buf.c - the growable buffer hosts hand to modules as a reply sink.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

FLEETMOD_API int fleetmod_buf_write(void *sink, const char *buf, size_t len)
{
    struct fleetmod_buf *b = sink;
    if (len > SIZE_MAX - b->len)
        return -1;
    if (b->len + len > b->cap) {
        size_t cap = b->cap > 0 ? b->cap : 256;
        while (cap < b->len + len)
            cap = cap > SIZE_MAX / 2 ? b->len + len : cap * 2;
        char *data = realloc(b->data, cap);
        if (!data)
            return -1;
        b->data = data;
        b->cap = cap;
    }
    if (len > 0)
        memcpy(b->data + b->len, buf, len);
    b->len += len;
    return 0;
}

FLEETMOD_API void fleetmod_buf_free(struct fleetmod_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
