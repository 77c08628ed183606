/*
 * stack_reply.c - the replies a stack writes: a provider's own, relayed
 * with "provider" set to its section name, or the stack's when it could
 * not route the call.
 */
#include <string.h>

#include "stack.h"

/* The provider name of replies the stack writes itself. */
#define STACK_PROVIDER "stack"

static bool key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
           memcmp(k->via.str.ptr, name, n) == 0;
}

static int pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

static int pack_with_provider(msgpack_packer *pk, const msgpack_object *map,
                              const char *section);

static int pack_results(msgpack_packer *pk, const msgpack_object *arr,
                        const char *section)
{
    int fail = msgpack_pack_array(pk, arr->via.array.size);
    for (uint32_t i = 0; i < arr->via.array.size && !fail; i++) {
        const msgpack_object *item = &arr->via.array.ptr[i];
        fail = item->type == MSGPACK_OBJECT_MAP
                   ? pack_with_provider(pk, item, section)
                   : msgpack_pack_object(pk, *item);
    }
    return fail;
}

/* The map with its "provider" value replaced (or added when missing), in
 * the map itself and in the maps of its "results". */
static int pack_with_provider(msgpack_packer *pk, const msgpack_object *map,
                              const char *section)
{
    const msgpack_object_map *m = &map->via.map;
    bool has = fm_map_get(map, "provider") != NULL;
    int fail = msgpack_pack_map(pk, m->size + !has);
    for (uint32_t i = 0; i < m->size && !fail; i++) {
        const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
        fail = msgpack_pack_object(pk, *k);
        if (fail)
            break;
        if (key_is(k, "provider"))
            fail = pack_str(pk, section);
        else if (key_is(k, "results") && v->type == MSGPACK_OBJECT_ARRAY)
            fail = pack_results(pk, v, section);
        else
            fail = msgpack_pack_object(pk, *v);
    }
    if (!has && !fail)
        fail = pack_str(pk, "provider") || pack_str(pk, section);
    return fail;
}

fleetmod_rc fm_stack_relay(const char *section, fleetmod_rc rc,
                           const char *reply, size_t len,
                           fleetmod_write_fn write, void *sink)
{
    msgpack_zone zone;
    if (!msgpack_zone_init(&zone, MSGPACK_ZONE_CHUNK_SIZE))
        return fm_stack_fail(section, NULL, FLEETMOD_ENOMEM, "out of memory",
                             write, sink);
    msgpack_object obj;
    fleetmod_rc urc = fm_msg_unpack(reply, len, &zone, &obj);
    if (urc == FLEETMOD_OK && obj.type == MSGPACK_OBJECT_MAP) {
        msgpack_packer pk;
        msgpack_packer_init(&pk, sink, write);
        if (pack_with_provider(&pk, &obj, section) != 0)
            rc = FLEETMOD_ENOMEM;
    } else if (urc == FLEETMOD_ENOMEM || rc == FLEETMOD_ENOMEM) {
        /* The module could not write its reply into our buffer either. */
        rc = fm_stack_fail(section, NULL, FLEETMOD_ENOMEM, "out of memory",
                           write, sink);
    } else {
        rc = fm_stack_fail(section, NULL, FLEETMOD_EINTERNAL,
                           "the provider's module wrote an invalid reply",
                           write, sink);
    }
    msgpack_zone_destroy(&zone);
    return rc;
}

/* Whether a call the stack failed may have reached a provider: only when
 * the provider's reply was lost on the way back. */
static const char *delivered(fleetmod_rc rc)
{
    return rc == FLEETMOD_EINTERNAL || rc == FLEETMOD_ENOMEM ? "unknown" : "no";
}

fleetmod_rc fm_stack_fail(const char *section, const msgpack_object *req,
                          fleetmod_rc rc, const char *message,
                          fleetmod_write_fn write, void *sink)
{
    const msgpack_object *rid =
        req != NULL ? fm_map_get(req, "request_id") : NULL;
    bool echo = rid != NULL && rid->type == MSGPACK_OBJECT_STR;
    msgpack_packer pk;
    msgpack_packer_init(&pk, sink, write);
    int fail = msgpack_pack_map(&pk, 4 + echo) || pack_str(&pk, "provider") ||
               pack_str(&pk, section != NULL ? section : STACK_PROVIDER) ||
               pack_str(&pk, "status") || pack_str(&pk, "failed") ||
               pack_str(&pk, "terminal") || msgpack_pack_true(&pk) ||
               (echo && (pack_str(&pk, "request_id") ||
                         msgpack_pack_object(&pk, *rid))) ||
               pack_str(&pk, "error") || msgpack_pack_map(&pk, 4) ||
               pack_str(&pk, "code") || msgpack_pack_int(&pk, (int)rc) ||
               pack_str(&pk, "name") || pack_str(&pk, fleetmod_rc_name(rc)) ||
               pack_str(&pk, "message") || pack_str(&pk, message) ||
               pack_str(&pk, "delivered") || pack_str(&pk, delivered(rc));
    return fail ? FLEETMOD_ENOMEM : rc;
}
