/*
 * journal/guard_batch.c - a batch send ("vins") through the guard. Each
 * VIN is checked as a single send would be; all intents go into one
 * transaction, the VINs that pass go to the stack in one call (the
 * request with its list cut down to them, its other keys as sent), all
 * outcomes go into one transaction, and the reply is one batch with a
 * result per VIN in request order: the module's, with the guard's keys,
 * or the guard's own for a VIN refused or coalesced.
 */
#include <stdlib.h>
#include <string.h>

#include "../stack.h"
#include "guard_int.h"

struct batch {
    struct fleetmod_guard *g;
    const msgpack_object *req, *list;
    size_t n, npass;
    struct fm_gitem *items;
    size_t *pass;          /* indices of the items sent, in order */
    struct fm_jevent *evs; /* their outcomes */
    char **details;
    struct fleetmod_buf reply;
    struct fleetmod_reply r;
    msgpack_object obj; /* the stack's reply */
    bool is_batch;      /* it has one result per item sent */
};

static fleetmod_rc write_intents(struct batch *b, char *err, size_t errlen)
{
    struct fleetmod_journal *j = b->g->j;
    struct fm_jintent *ins = calloc(b->n, sizeof *ins);
    if (!ins)
        return FLEETMOD_ENOMEM;
    for (size_t i = 0; i < b->n; i++)
        ins[i] = b->items[i].in;
    int bad = !fm_journal_lock(j, err, errlen);
    if (!bad) {
        bad = j->be->intents(j->db, ins, b->n, err, errlen);
        fm_journal_unlock(j);
    }
    for (size_t i = 0; i < b->n && !bad; i++)
        b->items[i].in = ins[i];
    free(ins);
    return bad ? FLEETMOD_EREFUSED : FLEETMOD_OK;
}

/* The request with "vins" cut down to the items that pass. */
static int sub_request(const struct batch *b, msgpack_sbuffer *sb)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    const msgpack_object_map *m = &b->req->via.map;
    int fail = msgpack_pack_map(&pk, m->size);
    for (uint32_t i = 0; i < m->size && !fail; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        fail = msgpack_pack_object(&pk, *k);
        if (fail || !fm_key_is(k, "vins")) {
            fail = fail || msgpack_pack_object(&pk, m->ptr[i].val);
            continue;
        }
        fail = msgpack_pack_array(&pk, b->npass);
        for (size_t p = 0; p < b->npass && !fail; p++)
            fail = msgpack_pack_object(&pk, b->list->via.array.ptr[b->pass[p]]);
    }
    return fail;
}

/* Send the items that pass and decode the answer. */
static fleetmod_rc send_passing(struct batch *b, msgpack_zone *zone,
                                int64_t *ms)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    if (sub_request(b, &sb)) {
        msgpack_sbuffer_destroy(&sb);
        return FLEETMOD_ENOMEM;
    }
    int64_t t0 = fm_now_ms();
    fleetmod_rc rc = fleetmod_stack_send(b->g->stack, sb.data, sb.size,
                                         fleetmod_buf_write, &b->reply);
    *ms = fm_now_ms() - t0;
    msgpack_sbuffer_destroy(&sb);
    bool ok = fleetmod_reply_decode(b->reply.data, b->reply.len, &b->r) ==
                  FLEETMOD_OK &&
              fm_msg_unpack(b->reply.data, b->reply.len, zone, &b->obj) ==
                  FLEETMOD_OK;
    const msgpack_object *res = ok ? fm_map_get(&b->obj, "results") : NULL;
    b->is_batch = rc == FLEETMOD_OK && res &&
                  res->type == MSGPACK_OBJECT_ARRAY &&
                  res->via.array.size == b->npass && b->r.n_results == b->npass;
    if (!ok)
        b->obj.type = MSGPACK_OBJECT_NIL;
    return rc;
}

/* Item k of those sent: its reply map (decoded and as an object). */
static void result(const struct batch *b, size_t k,
                   const struct fleetmod_reply **r, const msgpack_object **o)
{
    *r = b->is_batch ? &b->r.results[k]
                     : (b->obj.type == MSGPACK_OBJECT_MAP ? &b->r : NULL);
    *o = b->is_batch ? &fm_map_get(&b->obj, "results")->via.array.ptr[k]
                     : (b->obj.type == MSGPACK_OBJECT_MAP ? &b->obj : NULL);
}

static void outcomes(struct batch *b, fleetmod_rc rc, int64_t ms)
{
    for (size_t k = 0; k < b->npass; k++) {
        const struct fleetmod_reply *r;
        const msgpack_object *o;
        result(b, k, &r, &o);
        fleetmod_rc irc = rc;
        if (b->is_batch)
            irc = r->has_error ? (fleetmod_rc)r->error.code : FLEETMOD_OK;
        else if (rc == FLEETMOD_OK)
            irc = FLEETMOD_EINTERNAL; /* not the batch asked for */
        struct fm_gitem *it = &b->items[b->pass[k]];
        fm_throttle_done(b->g, it, irc,
                         r && r->has_error ? r->error.retry_after_ms : -1);
        fm_gitem_outcome(b->g, it, irc, r, o, ms, &b->evs[k], &b->details[k]);
    }
    fm_guard_record(b->g, b->evs, b->npass);
}

static const char *provider_of(const struct batch *b, size_t i, size_t *k)
{
    const struct fm_gitem *it = &b->items[i];
    if (*k < b->npass && b->pass[*k] == i) {
        const struct fleetmod_reply *r;
        const msgpack_object *o;
        result(b, (*k)++, &r, &o);
        return r && r->provider ? r->provider : "stack";
    }
    return it->t ? it->t->section : "stack";
}

/* The reply's own provider: the one every item has, else "stack". */
static const char *common_provider(const struct batch *b)
{
    const char *p = NULL;
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        const char *q = provider_of(b, i, &k);
        if (p && strcmp(p, q))
            return "stack";
        p = q;
    }
    return p ? p : "stack";
}

static fleetmod_rc reply(struct batch *b, fleetmod_write_fn write, void *sink)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sink, write);
    int fail = fm_pack_batch_head(&pk, common_provider(b), b->req, b->n);
    size_t k = 0;
    for (size_t i = 0; i < b->n && !fail; i++) {
        const struct fm_gitem *it = &b->items[i];
        if (k < b->npass && b->pass[k] == i) {
            const struct fleetmod_reply *r;
            const msgpack_object *o;
            result(b, k, &r, &o);
            struct fm_extra x = {.journal = it->id,
                                 .deadline = it->in.ev.deadline,
                                 .late = b->evs[k].late};
            /* A module reply that is not a map: the stack has already
             * replaced it, so this is out of memory at worst. */
            fail = o ? fm_pack_extra(&pk, o, &x)
                     : fm_stack_fail(NULL, NULL, FLEETMOD_EINTERNAL,
                                     "no usable reply for this item", write,
                                     sink) == FLEETMOD_ENOMEM;
            k++;
        } else {
            fm_pack_unsent(&pk, it, b->req, &fail);
        }
    }
    return fail ? FLEETMOD_ENOMEM : FLEETMOD_OK;
}

static void batch_free(struct batch *b)
{
    for (size_t k = 0; b->details && k < b->npass; k++)
        free(b->details[k]);
    free(b->details);
    free(b->evs);
    free(b->pass);
    free(b->items);
    fleetmod_reply_free(&b->r);
    fleetmod_buf_free(&b->reply);
}

static fleetmod_rc run(struct batch *b, const char *command, msgpack_zone *zone,
                       fleetmod_write_fn write, void *sink)
{
    char err[FLEETMOD_ERR_MAX];
    for (size_t i = 0; i < b->n; i++)
        fm_gitem_prepare(b->g, &b->items[i], b->req,
                         fm_zstr(zone, &b->list->via.array.ptr[i]), command,
                         false, 0, zone);
    fleetmod_rc rc = write_intents(b, err, sizeof err);
    for (size_t i = 0; i < b->n; i++) {
        struct fm_gitem *it = &b->items[i];
        if (rc == FLEETMOD_OK && !it->in.refused && !it->in.dup_found)
            b->pass[b->npass++] = i;
        else
            fm_throttle_unprobe(b->g, it);
    }
    if (rc == FLEETMOD_ENOMEM)
        return fm_stack_fail(NULL, b->req, rc, "out of memory", write, sink);
    if (rc != FLEETMOD_OK)
        return fm_guard_refuse_journal(b->req, NULL, err, write, sink);
    fm_quota_retry(b->g, b->items, b->n);
    if (b->npass) {
        int64_t ms = 0;
        rc = send_passing(b, zone, &ms);
        outcomes(b, rc, ms);
    }
    return reply(b, write, sink);
}

fleetmod_rc fm_guard_batch(struct fleetmod_guard *g, const msgpack_object *req,
                           const msgpack_object *list, const char *command,
                           msgpack_zone *zone, fleetmod_write_fn write,
                           void *sink)
{
    struct batch b = {
        .g = g, .req = req, .list = list, .n = list->via.array.size};
    b.items = calloc(b.n, sizeof *b.items);
    b.pass = calloc(b.n, sizeof *b.pass);
    b.evs = calloc(b.n, sizeof *b.evs);
    b.details = calloc(b.n, sizeof *b.details);
    fleetmod_rc rc = b.items && b.pass && b.evs && b.details
                         ? run(&b, command, zone, write, sink)
                         : fm_stack_fail(NULL, req, FLEETMOD_ENOMEM,
                                         "out of memory", write, sink);
    batch_free(&b);
    return rc;
}
