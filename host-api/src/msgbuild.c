/*
 * msgbuild.c - a request map built key by key (struct
 * fleetmod_msg_builder), so that a request can carry keys that struct
 * fleetmod_request, frozen by the 1.0 ABI, has no member for.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum kind { K_STR, K_INT, K_BOOL, K_STRS };

struct entry {
    char *key;
    enum kind kind;
    char *str;   /* K_STR */
    int64_t num; /* K_INT, K_BOOL */
    char **strs; /* K_STRS: n strings */
    size_t n;
};

struct fleetmod_msg_builder {
    struct entry *e;
    size_t n, cap;
};

FLEETMOD_API struct fleetmod_msg_builder *fleetmod_msg_builder_new(void)
{
    return calloc(1, sizeof(struct fleetmod_msg_builder));
}

static void entry_clear(struct entry *e)
{
    free(e->str);
    for (size_t i = 0; i < e->n; i++)
        free(e->strs[i]);
    free(e->strs);
    e->str = NULL;
    e->strs = NULL;
    e->n = 0;
}

FLEETMOD_API void fleetmod_msg_builder_free(struct fleetmod_msg_builder *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        entry_clear(&b->e[i]);
        free(b->e[i].key);
    }
    free(b->e);
    free(b);
}

/* The entry of key, emptied for a new value, or a new one at the end (a
 * key set again keeps its place). NULL when memory ran out. */
static struct entry *slot(struct fleetmod_msg_builder *b, const char *key)
{
    for (size_t i = 0; i < b->n; i++) {
        if (strcmp(b->e[i].key, key) == 0) {
            entry_clear(&b->e[i]);
            return &b->e[i];
        }
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 8;
        struct entry *e = realloc(b->e, cap * sizeof *e);
        if (!e)
            return NULL;
        b->e = e;
        b->cap = cap;
    }
    char *copy = strdup(key);
    if (!copy)
        return NULL;
    b->e[b->n] = (struct entry){.key = copy};
    return &b->e[b->n++];
}

static bool usable(const struct fleetmod_msg_builder *b, const char *key)
{
    return b && key && key[0];
}

FLEETMOD_API fleetmod_rc fleetmod_msg_builder_set_str(
    struct fleetmod_msg_builder *b, const char *key, const char *value)
{
    if (!usable(b, key) || !value)
        return FLEETMOD_EINVAL;
    char *copy = strdup(value);
    struct entry *e = copy ? slot(b, key) : NULL;
    if (!e) {
        free(copy);
        return FLEETMOD_ENOMEM;
    }
    e->kind = K_STR;
    e->str = copy;
    return FLEETMOD_OK;
}

static fleetmod_rc set_num(struct fleetmod_msg_builder *b, const char *key,
                           enum kind kind, int64_t value)
{
    if (!usable(b, key))
        return FLEETMOD_EINVAL;
    struct entry *e = slot(b, key);
    if (!e)
        return FLEETMOD_ENOMEM;
    e->kind = kind;
    e->num = value;
    return FLEETMOD_OK;
}

FLEETMOD_API fleetmod_rc fleetmod_msg_builder_set_int(
    struct fleetmod_msg_builder *b, const char *key, int64_t value)
{
    return set_num(b, key, K_INT, value);
}

FLEETMOD_API fleetmod_rc fleetmod_msg_builder_set_bool(
    struct fleetmod_msg_builder *b, const char *key, bool value)
{
    return set_num(b, key, K_BOOL, value);
}

static void strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

FLEETMOD_API fleetmod_rc
fleetmod_msg_builder_set_strs(struct fleetmod_msg_builder *b, const char *key,
                              const char *const *values, size_t n)
{
    if (!usable(b, key) || (n && !values) || n > UINT32_MAX)
        return FLEETMOD_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!values[i])
            return FLEETMOD_EINVAL;
    }
    char **v = calloc(n ? n : 1, sizeof *v);
    size_t k = 0;
    while (v && k < n && (v[k] = strdup(values[k])))
        k++;
    struct entry *e = v && k == n ? slot(b, key) : NULL;
    if (!e) {
        if (v)
            strs_free(v, k);
        return FLEETMOD_ENOMEM;
    }
    e->kind = K_STRS;
    e->strs = v;
    e->n = n;
    return FLEETMOD_OK;
}

static int pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

static int pack_value(msgpack_packer *pk, const struct entry *e)
{
    switch (e->kind) {
    case K_STR:
        return pack_str(pk, e->str);
    case K_INT:
        return msgpack_pack_int64(pk, e->num);
    case K_BOOL:
        return e->num ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
    case K_STRS:
        break;
    }
    int fail = msgpack_pack_array(pk, e->n);
    for (size_t i = 0; i < e->n && !fail; i++)
        fail = pack_str(pk, e->strs[i]);
    return fail;
}

FLEETMOD_API fleetmod_rc fleetmod_msg_builder_pack(
    const struct fleetmod_msg_builder *b, struct fleetmod_buf *out)
{
    if (!b || !out)
        return FLEETMOD_EINVAL;
    size_t start = out->len;
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, fleetmod_buf_write);
    int fail = msgpack_pack_map(&pk, b->n);
    for (size_t i = 0; i < b->n && !fail; i++)
        fail = pack_str(&pk, b->e[i].key) || pack_value(&pk, &b->e[i]);
    if (fail) {
        /* Leave out as it was: half a map would poison what follows. */
        out->len = start;
        return FLEETMOD_ENOMEM;
    }
    return FLEETMOD_OK;
}
