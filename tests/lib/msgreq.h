/*
 * msgreq.h - writing requests in the C tests: a msgpack map from "key",
 * "value" string pairs, so that a test states its request in one line.
 * Header-only, for any C test program (msgmap.h reads the replies).
 */
#ifndef FLEETMOD_TESTS_MSGREQ_H
#define FLEETMOD_TESTS_MSGREQ_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

/* "A,B,C" as an array of strings. */
static inline void msgreq_pack_list(msgpack_packer *pk, const char *v)
{
    size_t n = 1;
    const char *s = v;

    for (const char *p = v; *p; p++)
        n += *p == ',';
    msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(s, ",");
        msgpack_pack_str_with_body(pk, s, len);
        s += len + (s[len] == ',');
    }
}

/* Appends to b a map of the "key", "value" pairs in ap, up to a NULL
 * key. A key starting with '#' takes the value as an unsigned integer,
 * one starting with '@' as "A,B,C", an array of strings; the mark is not
 * part of the key. */
static inline void msgreq_build(msgpack_sbuffer *b, va_list ap)
{
    msgpack_packer pk;
    va_list count;
    size_t n = 0;

    /* The map's size comes first: count the pairs on a copy. */
    va_copy(count, ap);
    while (va_arg(count, const char *)) {
        (void)va_arg(count, const char *);
        n++;
    }
    va_end(count);
    msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, n);
    for (size_t i = 0; i < n; i++) {
        const char *k = va_arg(ap, const char *);
        const char *v = va_arg(ap, const char *);
        const char *key = k + (k[0] == '#' || k[0] == '@');

        msgpack_pack_str_with_body(&pk, key, strlen(key));
        if (k[0] == '#')
            msgpack_pack_uint64(&pk, strtoull(v, NULL, 10));
        else if (k[0] == '@')
            msgreq_pack_list(&pk, v);
        else
            msgpack_pack_str_with_body(&pk, v, strlen(v));
    }
}

#endif
