/*
 * stack_reply.c - the replies a stack writes: a provider's own, relayed
 * with "provider" set to its section name, or the stack's when it could
 * not route the call.
 */
#include <string.h>

#include "stack.h"

bool fm_key_is(const msgpack_object *k, const char *name)
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

static int pack_results(msgpack_packer *pk, const msgpack_object *arr,
                        const char *section)
{
    int fail = msgpack_pack_array(pk, arr->via.array.size);
    for (uint32_t i = 0; i < arr->via.array.size && !fail; i++) {
        const msgpack_object *item = &arr->via.array.ptr[i];
        fail = item->type == MSGPACK_OBJECT_MAP
                   ? fm_pack_with_provider(pk, item, section, NULL)
                   : msgpack_pack_object(pk, *item);
    }
    return fail;
}

struct fm_refusal fm_refusal_of(const char *section, fleetmod_rc rc,
                                const msgpack_object *error)
{
    struct fm_refusal r = {section, rc, NULL, NULL};
    if (error) {
        r.name = fm_map_get(error, "name");
        r.message = fm_map_get(error, "message");
    }
    return r;
}

/* A str object as the provider wrote it, else the fallback text. */
static int pack_text(msgpack_packer *pk, const msgpack_object *v,
                     const char *fallback)
{
    if (v && v->type == MSGPACK_OBJECT_STR)
        return msgpack_pack_object(pk, *v);
    return pack_str(pk, fallback);
}

static bool any(const struct fm_refusals *ref)
{
    return ref && ref->n > 0;
}

/* "refusals": [{provider, name, message}, ...]. */
static int pack_refusals(msgpack_packer *pk, const struct fm_refusals *ref)
{
    int fail = pack_str(pk, "refusals") || msgpack_pack_array(pk, ref->n);
    for (size_t i = 0; i < ref->n && !fail; i++) {
        const struct fm_refusal *r = &ref->r[i];
        fail = msgpack_pack_map(pk, 3) || pack_str(pk, "provider") ||
               pack_str(pk, r->provider) || pack_str(pk, "name") ||
               pack_text(pk, r->name, fleetmod_rc_name(r->rc)) ||
               pack_str(pk, "message") ||
               pack_text(pk, r->message, fleetmod_strerror(r->rc));
    }
    return fail;
}

/* The map with its "provider" value replaced (or added when missing), in
 * the map itself and in the maps of its "results"; a "refusals" of the
 * module's own gives way to the stack's. */
int fm_pack_with_provider(msgpack_packer *pk, const msgpack_object *map,
                          const char *section, const struct fm_refusals *ref)
{
    const msgpack_object_map *m = &map->via.map;
    bool has = fm_map_get(map, "provider");
    bool drop = any(ref) && fm_map_get(map, "refusals");
    int fail = msgpack_pack_map(pk, m->size + !has + any(ref) - drop);
    for (uint32_t i = 0; i < m->size && !fail; i++) {
        const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
        if (drop && fm_key_is(k, "refusals"))
            continue;
        fail = msgpack_pack_object(pk, *k);
        if (fail)
            break;
        if (fm_key_is(k, "provider"))
            fail = pack_str(pk, section);
        else if (fm_key_is(k, "results") && v->type == MSGPACK_OBJECT_ARRAY)
            fail = pack_results(pk, v, section);
        else
            fail = msgpack_pack_object(pk, *v);
    }
    if (!has && !fail)
        fail = pack_str(pk, "provider") || pack_str(pk, section);
    if (any(ref) && !fail)
        fail = pack_refusals(pk, ref);
    return fail;
}

fleetmod_rc fm_stack_relay(const char *section, fleetmod_rc rc,
                           const char *reply, size_t len,
                           const struct fm_refusals *ref,
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
        if (fm_pack_with_provider(&pk, &obj, section, ref) != 0)
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

int fm_pack_batch_head(msgpack_packer *pk, const char *provider,
                       const msgpack_object *req, size_t n)
{
    const msgpack_object *rid = fm_map_get(req, "request_id");
    bool echo = rid && rid->type == MSGPACK_OBJECT_STR;
    return msgpack_pack_map(pk, 4 + echo) || pack_str(pk, "provider") ||
           pack_str(pk, provider) || pack_str(pk, "status") ||
           pack_str(pk, "batch") || pack_str(pk, "terminal") ||
           msgpack_pack_true(pk) ||
           (echo &&
            (pack_str(pk, "request_id") || msgpack_pack_object(pk, *rid))) ||
           pack_str(pk, "results") || msgpack_pack_array(pk, n);
}

static int pack_error(msgpack_packer *pk, const struct fm_failure *f)
{
    if (f->error && f->error->type == MSGPACK_OBJECT_MAP)
        return msgpack_pack_object(pk, *f->error);
    return msgpack_pack_map(pk, 4) || pack_str(pk, "code") ||
           msgpack_pack_int(pk, (int)f->rc) || pack_str(pk, "name") ||
           pack_str(pk, fleetmod_rc_name(f->rc)) || pack_str(pk, "message") ||
           pack_str(pk, f->message) || pack_str(pk, "delivered") ||
           pack_str(pk, fleetmod_rc_delivered(f->rc));
}

static bool echoed(const struct fm_echo *e)
{
    return e->val && e->val->type == MSGPACK_OBJECT_STR;
}

int fm_pack_failure(msgpack_packer *pk, const struct fm_failure *f)
{
    size_t n_echo = sizeof f->echo / sizeof f->echo[0], keys = 4;
    for (size_t i = 0; i < n_echo; i++)
        keys += echoed(&f->echo[i]);
    keys += any(&f->refusals);
    int fail = msgpack_pack_map(pk, keys) || pack_str(pk, "provider") ||
               pack_str(pk, f->provider ? f->provider : FM_STACK_PROVIDER) ||
               pack_str(pk, "status") || pack_str(pk, "failed") ||
               pack_str(pk, "terminal") || msgpack_pack_true(pk);
    for (size_t i = 0; i < n_echo && !fail; i++) {
        if (echoed(&f->echo[i]))
            fail = pack_str(pk, f->echo[i].key) ||
                   msgpack_pack_object(pk, *f->echo[i].val);
    }
    if (!fail && any(&f->refusals))
        fail = pack_refusals(pk, &f->refusals);
    return fail || pack_str(pk, "error") || pack_error(pk, f);
}

fleetmod_rc fm_stack_fail(const char *section, const msgpack_object *req,
                          fleetmod_rc rc, const char *message,
                          fleetmod_write_fn write, void *sink)
{
    struct fm_failure f = {
        .provider = section,
        .rc = rc,
        .message = message,
        .echo = {{"request_id", req ? fm_map_get(req, "request_id") : NULL}}};
    msgpack_packer pk;
    msgpack_packer_init(&pk, sink, write);
    return fm_pack_failure(&pk, &f) ? FLEETMOD_ENOMEM : rc;
}
