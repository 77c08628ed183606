/*
 * json.c - any msgpack object as one line of JSON, for people and logs.
 *
 * msgpack says more than JSON can. The mapping:
 *   nil -> null;  bool -> true/false;
 *   int -> integer (above 2^63-1: a real; jansson's integers are int64);
 *   float -> real: 1.0 stays 1.0, printed with the fewest digits that read
 *     back exactly; NaN and infinities -> null;
 *   str -> string, invalid UTF-8 bytes replaced by U+FFFD;
 *   bin -> base64 string;  ext -> {"ext": type, "data": base64};
 *   map -> object in the message's key order; a non-string key becomes its
 *     JSON text (1 -> "1", [1,2] -> "[1,2]"), except a map or array key
 *     inside another key, which becomes "<map>" or "<array>": each level
 *     of keys in keys would escape the one below again, doubling the text
 *     (a 300-byte message asked for gigabytes); a repeated key keeps its
 *     first position and its last value.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

/* Reals are printed with the fewest significant digits that read back as
 * the same double for every real of the document (jansson takes one
 * precision per dump): -23.5613 stays -23.5613, not -23.561299999999999. */
struct render {
    int precision;
    int in_key; /* rendering a key's text: nested container keys are cut */
};

static json_t *to_json(const msgpack_object *o, struct render *rd);

static char *base64(const char *data, size_t n)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)data;
    char *out = malloc((n + 2) / 3 * 4 + 1), *q = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        *q++ = abc[v >> 18 & 63];
        *q++ = abc[v >> 12 & 63];
        *q++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
        *q++ = i + 2 < n ? abc[v & 63] : '=';
    }
    *q = '\0';
    return out;
}

static json_t *base64_json(const char *data, size_t n)
{
    char *text = base64(data, n);
    json_t *j = text ? json_string(text) : NULL;
    free(text);
    return j;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid:
 * no overlongs, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80   ? 1
                 : p[0] < 0xc2 ? 0
                 : p[0] < 0xe0 ? 2
                 : p[0] < 0xf0 ? 3
                 : p[0] < 0xf5 ? 4
                               : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    }
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
        return 0;
    return len;
}

/* A JSON string of s, each byte of an invalid sequence replaced by U+FFFD
 * so that the output is always valid UTF-8. */
static json_t *string_json(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *fixed = malloc(n * 3 + 1);
    size_t out = 0;
    if (!fixed)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq((const unsigned char *)s + i, n - i);
        if (len > 0) {
            memcpy(fixed + out, s + i, len);
            out += len;
            i += len;
        } else {
            memcpy(fixed + out, "\xef\xbf\xbd", 3);
            out += 3;
            i++;
        }
    }
    j = json_stringn(fixed, out);
    free(fixed);
    return j;
}

static int shortest_precision(double d)
{
    char text[40];
    for (int p = 1; p < 17; p++) {
        snprintf(text, sizeof text, "%.*g", p, d);
        if (strtod(text, NULL) == d)
            return p;
    }
    return 17;
}

static json_t *real_json(double d, struct render *rd)
{
    if (!isfinite(d))
        return json_null();
    int p = shortest_precision(d);
    if (p > rd->precision)
        rd->precision = p;
    return json_real(d);
}

static json_t *ext_json(const msgpack_object_ext *e)
{
    return json_pack("{s:i, s:o}", "ext", (int)e->type, "data",
                     base64_json(e->ptr, e->size));
}

static json_t *array_json(const msgpack_object_array *a, struct render *rd)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; arr && i < a->size; i++) {
        if (json_array_append_new(arr, to_json(&a->ptr[i], rd)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* The key as JSON text: a str as itself, anything else as its JSON. */
static char *key_text(const msgpack_object *k, size_t *len, struct render *rd)
{
    bool container =
        k->type == MSGPACK_OBJECT_MAP || k->type == MSGPACK_OBJECT_ARRAY;
    json_t *j;
    char *text = NULL;

    if (container && rd->in_key) {
        text = strdup(k->type == MSGPACK_OBJECT_MAP ? "<map>" : "<array>");
        *len = text ? strlen(text) : 0;
        return text;
    }
    rd->in_key += container;
    j = k->type == MSGPACK_OBJECT_STR
            ? string_json(k->via.str.ptr, k->via.str.size)
            : to_json(k, rd);
    rd->in_key -= container;
    if (j && json_is_string(j) && k->type == MSGPACK_OBJECT_STR) {
        *len = json_string_length(j);
        text = malloc(*len + 1);
        if (text)
            memcpy(text, json_string_value(j), *len + 1);
    } else if (j) {
        text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
                                 JSON_REAL_PRECISION(rd->precision));
        *len = text ? strlen(text) : 0;
    }
    json_decref(j);
    return text;
}

static json_t *map_json(const msgpack_object_map *m, struct render *rd)
{
    json_t *obj = json_object();
    for (uint32_t i = 0; obj && i < m->size; i++) {
        size_t len = 0;
        char *key = key_text(&m->ptr[i].key, &len, rd);
        int fail = !key || json_object_setn_new(
                               obj, key, len, to_json(&m->ptr[i].val, rd)) != 0;
        free(key);
        if (fail) {
            json_decref(obj);
            obj = NULL;
        }
    }
    return obj;
}

static json_t *to_json(const msgpack_object *o, struct render *rd)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return json_null();
    case MSGPACK_OBJECT_BOOLEAN:
        return json_boolean(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return o->via.u64 <= (uint64_t)INT64_MAX
                   ? json_integer((json_int_t)o->via.u64)
                   : real_json((double)o->via.u64, rd);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return json_integer(o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return real_json(o->via.f64, rd);
    case MSGPACK_OBJECT_STR:
        return string_json(o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_BIN:
        return base64_json(o->via.bin.ptr, o->via.bin.size);
    case MSGPACK_OBJECT_EXT:
        return ext_json(&o->via.ext);
    case MSGPACK_OBJECT_ARRAY:
        return array_json(&o->via.array, rd);
    case MSGPACK_OBJECT_MAP:
        return map_json(&o->via.map, rd);
    }
    return NULL;
}

FLEETMOD_API char *fleetmod_msg_to_json(const char *buf, size_t len)
{
    msgpack_zone zone;
    if (!msgpack_zone_init(&zone, MSGPACK_ZONE_CHUNK_SIZE))
        return NULL;
    msgpack_object obj;
    char *text = NULL;
    if (fm_msg_unpack(buf, len, &zone, &obj) == FLEETMOD_OK) {
        struct render rd = {.precision = 1};
        json_t *j = to_json(&obj, &rd);
        if (j)
            text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
                                     JSON_PRESERVE_ORDER |
                                     JSON_REAL_PRECISION(rd.precision));
        json_decref(j);
    }
    msgpack_zone_destroy(&zone);
    return text;
}
