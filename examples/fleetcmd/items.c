/*
 * items.c - a batch's items and their replies.
 */
#include "items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "msgmap.h"

fleetmod_rc fc_items_init(struct fc_items *b, const struct fc_list *l,
                          const char *key_name)
{
    b->key_name = key_name;
    b->n = l->n;
    b->item = calloc(l->n, sizeof *b->item);
    if (!b->item) {
        fprintf(stderr, "fleetcmd: ENOMEM: no memory for %zu items\n", l->n);
        b->n = 0;
        return FLEETMOD_ENOMEM;
    }
    for (size_t i = 0; i < l->n; i++)
        b->item[i].key = l->items[i];
    return FLEETMOD_OK;
}

static void drop_reply(struct fc_item *it)
{
    fleetmod_reply_free(&it->reply);
    fleetmod_buf_free(&it->raw);
    memset(&it->raw, 0, sizeof it->raw);
    it->has_reply = false;
}

void fc_items_free(struct fc_items *b)
{
    for (size_t i = 0; i < b->n; i++)
        drop_reply(&b->item[i]);
    free(b->item);
    b->item = NULL;
    b->n = 0;
}

/* The item's map as written, plus "key_name": key when it is missing. */
static int pack_item(msgpack_packer *pk, const msgpack_object *m,
                     const char *key_name, const char *key)
{
    bool add = !fc_msgmap_get(m, key_name);
    int err = msgpack_pack_map(pk, m->via.map.size + (add ? 1 : 0));

    for (uint32_t i = 0; !err && i < m->via.map.size; i++)
        err = msgpack_pack_object(pk, m->via.map.ptr[i].key) ||
              msgpack_pack_object(pk, m->via.map.ptr[i].val);
    if (!err && add)
        err = msgpack_pack_str_with_body(pk, key_name, strlen(key_name)) ||
              msgpack_pack_str_with_body(pk, key, strlen(key));
    return err;
}

static fleetmod_rc take_one(struct fc_items *b, struct fc_item *it,
                            const msgpack_object *m)
{
    msgpack_packer pk;

    drop_reply(it);
    msgpack_packer_init(&pk, &it->raw, fleetmod_buf_write);
    if (pack_item(&pk, m, b->key_name, it->key) != 0)
        return FLEETMOD_ENOMEM;
    it->has_reply = true;
    return fleetmod_reply_decode(it->raw.data, it->raw.len, &it->reply);
}

/* The "results" array of x when it is a batch of n replies. */
static const msgpack_object *results_of(const msgpack_object *top,
                                        const struct fc_exchange *x, size_t n)
{
    const msgpack_object *res;

    if (!x->reply.status || strcmp(x->reply.status, "batch") != 0 ||
        x->reply.n_results != n || top->type != MSGPACK_OBJECT_MAP)
        return NULL;
    res = fc_msgmap_get(top, "results");
    return res && res->type == MSGPACK_OBJECT_ARRAY && res->via.array.size == n
               ? res
               : NULL;
}

fleetmod_rc fc_items_take(struct fc_items *b, struct fc_item **sel, size_t n,
                          const struct fc_exchange *x)
{
    const msgpack_object *res = NULL;
    fleetmod_rc rc = FLEETMOD_EINTERNAL;
    msgpack_unpacked u;
    size_t off = 0;

    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, x->raw.data, x->raw.len, &off) ==
        MSGPACK_UNPACK_SUCCESS)
        res = results_of(&u.data, x, n);
    if (res)
        rc = FLEETMOD_OK;
    for (size_t k = 0; res && k < n && rc == FLEETMOD_OK; k++)
        rc = take_one(b, sel[k], &res->via.array.ptr[k]);
    msgpack_unpacked_destroy(&u);
    if (!res)
        fprintf(stderr,
                "fleetcmd: EINTERNAL: the module did not answer the batch "
                "of %zu items with a batch of %zu results (status %s, %zu "
                "results)\n",
                n, n, x->reply.status ? x->reply.status : "-",
                x->reply.n_results);
    else if (rc != FLEETMOD_OK)
        fprintf(stderr, "fleetcmd: %s: cannot keep a batch item's reply\n",
                fleetmod_rc_name(rc));
    return rc;
}

const char *fc_item_id(const struct fc_items *b, const struct fc_item *it)
{
    if (strcmp(b->key_name, "id") == 0)
        return it->key;
    return it->has_reply ? it->reply.id : NULL;
}

bool fc_item_pending(const struct fc_items *b, const struct fc_item *it)
{
    if (!it->has_reply)
        return strcmp(b->key_name, "id") == 0;
    return it->reply.status && strcmp(it->reply.status, "pending") == 0 &&
           it->reply.id;
}
