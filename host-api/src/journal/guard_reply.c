/*
 * journal/guard_reply.c - the replies a guard writes: a module's reply
 * with the guard's keys added (journal, deadline, duplicate, late), and
 * the replies of commands it did not send (refused or coalesced). Only
 * the contract's reply keys appear (module.h, "Reply"); a refusal adds
 * error.reason and, for duplicates, error.journal.
 */
#include <string.h>

#include "guard_int.h"

static int str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

static int kv_str(msgpack_packer *pk, const char *k, const char *v)
{
    return str(pk, k) || str(pk, v);
}

static bool is_key(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
           memcmp(k->via.str.ptr, name, n) == 0;
}

const char *fm_zstr(msgpack_zone *zone, const msgpack_object *obj)
{
    if (!obj || obj->type != MSGPACK_OBJECT_STR)
        return NULL;
    uint32_t n = obj->via.str.size;
    if (memchr(obj->via.str.ptr, '\0', n))
        return NULL;
    char *s = msgpack_zone_malloc(zone, (size_t)n + 1);
    if (!s)
        return NULL;
    memcpy(s, obj->via.str.ptr, n);
    s[n] = '\0';
    return s;
}

int fm_pack_extra(msgpack_packer *pk, const msgpack_object *map,
                  const struct fm_extra *x)
{
    static const char *const ours[] = {"journal", "deadline", "duplicate",
                                       "late"};
    const msgpack_object_map *m = &map->via.map;
    uint32_t keep = 0;
    for (uint32_t i = 0; i < m->size; i++) {
        bool drop = false;
        for (int k = 0; k < 4; k++)
            drop |= is_key(&m->ptr[i].key, ours[k]);
        keep += !drop;
    }
    uint32_t n =
        keep + !!x->journal + (x->deadline != 0) + x->duplicate + x->late;
    int fail = msgpack_pack_map(pk, n);
    for (uint32_t i = 0; i < m->size && !fail; i++) {
        bool drop = false;
        for (int k = 0; k < 4; k++)
            drop |= is_key(&m->ptr[i].key, ours[k]);
        if (!drop)
            fail = msgpack_pack_object(pk, m->ptr[i].key) ||
                   msgpack_pack_object(pk, m->ptr[i].val);
    }
    if (x->journal && !fail)
        fail = kv_str(pk, "journal", x->journal);
    if (x->deadline && !fail)
        fail = str(pk, "deadline") || msgpack_pack_int64(pk, x->deadline);
    if (x->duplicate && !fail)
        fail = str(pk, "duplicate") || msgpack_pack_true(pk);
    if (x->late && !fail)
        fail = str(pk, "late") || msgpack_pack_true(pk);
    return fail;
}

fleetmod_rc fm_unsent_rc(const struct fm_gitem *it)
{
    const char *r = it->in.refused;
    if (!r)
        return FLEETMOD_OK; /* coalesced */
    if (!strcmp(r, "rate") || !strcmp(r, "quota") || !strcmp(r, "provider_429"))
        return FLEETMOD_ERATELIMIT;
    if (!strcmp(r, "breaker_open"))
        return FLEETMOD_EUNREACHABLE;
    return FLEETMOD_EREFUSED;
}

/* The echoed keys of a reply: vin, command, request_id. */
static int echo(msgpack_packer *pk, const struct fm_jevent *e)
{
    int fail = 0;
    if (e->vin)
        fail = kv_str(pk, "vin", e->vin);
    if (e->command && !fail)
        fail = kv_str(pk, "command", e->command);
    if (e->request_id && !fail)
        fail = kv_str(pk, "request_id", e->request_id);
    return fail;
}

static int n_echo(const struct fm_jevent *e)
{
    return !!e->vin + !!e->command + !!e->request_id;
}

static int pack_coalesced(msgpack_packer *pk, const struct fm_gitem *it)
{
    const struct fm_jevent *e = &it->in.ev;
    bool conf = !strcmp(it->in.dup_state, "confirmation");
    bool has_id = it->in.dup_provider_id[0] != '\0';
    int n = 5 + n_echo(e) + has_id + (e->deadline != 0);
    return msgpack_pack_map(pk, (size_t)n) ||
           kv_str(pk, "provider", it->t ? it->t->section : "stack") ||
           kv_str(pk, "status", conf ? "confirmation" : "pending") ||
           str(pk, "terminal") || msgpack_pack_false(pk) ||
           (has_id && kv_str(pk, "id", it->in.dup_provider_id)) ||
           echo(pk, e) || kv_str(pk, "journal", it->in.dup_id) ||
           (e->deadline &&
            (str(pk, "deadline") || msgpack_pack_int64(pk, e->deadline))) ||
           str(pk, "duplicate") || msgpack_pack_true(pk);
}

static const char *message_of(const struct fm_gitem *it)
{
    const char *r = it->in.refused;
    if (it->why)
        return it->why;
    if (!strcmp(r, "duplicate"))
        return "the same command to this vehicle is still in progress "
               "or may have run (see error.journal)";
    if (!strcmp(r, "quota"))
        return "the provider's daily quota is used up";
    return "refused by the host's policy";
}

static int pack_error(msgpack_packer *pk, const struct fm_gitem *it,
                      fleetmod_rc rc)
{
    bool dup = !strcmp(it->in.refused, "duplicate");
    bool retry = it->retry_after_ms > 0;
    return msgpack_pack_map(pk, 5 + (size_t)dup + retry) || str(pk, "code") ||
           msgpack_pack_int(pk, (int)rc) ||
           kv_str(pk, "name", fleetmod_error_name(rc)) ||
           kv_str(pk, "message", message_of(it)) ||
           kv_str(pk, "delivered", "no") ||
           kv_str(pk, "reason", it->in.refused) ||
           (dup && kv_str(pk, "journal", it->in.dup_id)) ||
           (retry && (str(pk, "retry_after_ms") ||
                      msgpack_pack_int64(pk, it->retry_after_ms)));
}

fleetmod_rc fm_pack_unsent(msgpack_packer *pk, const struct fm_gitem *it,
                           const msgpack_object *req, int *fail)
{
    (void)req;
    fleetmod_rc rc = fm_unsent_rc(it);
    if (!it->in.refused) {
        *fail = pack_coalesced(pk, it);
        return rc;
    }
    const struct fm_jevent *e = &it->in.ev;
    int n = 5 + n_echo(e) + (e->deadline != 0);
    *fail = msgpack_pack_map(pk, (size_t)n) ||
            kv_str(pk, "provider", it->t ? it->t->section : "stack") ||
            kv_str(pk, "status", "failed") || str(pk, "terminal") ||
            msgpack_pack_true(pk) || echo(pk, e) ||
            kv_str(pk, "journal", it->id) ||
            (e->deadline &&
             (str(pk, "deadline") || msgpack_pack_int64(pk, e->deadline))) ||
            str(pk, "error") || pack_error(pk, it, rc);
    return rc;
}

int fm_pack_journal_refusal(msgpack_packer *pk, const msgpack_object *req,
                            const char *vin, const char *why)
{
    const msgpack_object *rid = fm_map_get(req, "request_id");
    const msgpack_object *cmd = fm_map_get(req, "command");
    bool has_rid = rid && rid->type == MSGPACK_OBJECT_STR;
    bool has_cmd = cmd && cmd->type == MSGPACK_OBJECT_STR;
    return msgpack_pack_map(pk, 4 + (size_t) !!vin + has_rid + has_cmd) ||
           kv_str(pk, "provider", "stack") || kv_str(pk, "status", "failed") ||
           str(pk, "terminal") || msgpack_pack_true(pk) ||
           (vin && kv_str(pk, "vin", vin)) ||
           (has_cmd && (str(pk, "command") || msgpack_pack_object(pk, *cmd))) ||
           (has_rid &&
            (str(pk, "request_id") || msgpack_pack_object(pk, *rid))) ||
           str(pk, "error") || msgpack_pack_map(pk, 5) || str(pk, "code") ||
           msgpack_pack_int(pk, FLEETMOD_EREFUSED) ||
           kv_str(pk, "name", "EREFUSED") || kv_str(pk, "message", why) ||
           kv_str(pk, "delivered", "no") || kv_str(pk, "reason", "journal");
}
