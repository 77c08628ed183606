/*
 * msgmap.h - reading replies in the C tests: a member of a msgpack map by
 * its string key. Header-only, for test programs and test modules alike.
 */
#ifndef FLEETMOD_TESTS_MSGMAP_H
#define FLEETMOD_TESTS_MSGMAP_H

#include <stdint.h>
#include <string.h>

#include <msgpack.h>

/* The value of key in map m; NULL when m is not a map (or NULL) or has no
 * such string key. */
static inline const msgpack_object *msgmap_get(const msgpack_object *m,
                                               const char *key)
{
    size_t n = strlen(key);

    if (!m || m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
            memcmp(k->via.str.ptr, key, n) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

#endif
