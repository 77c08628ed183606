/*
 * journal/guard_status.c - status through the guard: never refused, but
 * what it learns about a journaled command (its id is the provider's) is
 * recorded: a new state, executed, late. Repeated looks that learn
 * nothing new write nothing, so polling does not grow the journal.
 */
#include <stdlib.h>
#include <string.h>

#include "../stack.h"
#include "guard_int.h"

struct found {
    bool hit;
    char id[64];
    char state[16];
    int64_t deadline, executed_at;
    bool late;
};

static int take(void *user, const struct fm_jrow *r)
{
    struct found *f = user;
    f->hit = true;
    snprintf(f->id, sizeof f->id, "%s", r->journal_id);
    snprintf(f->state, sizeof f->state, "%s", r->state ? r->state : "");
    f->deadline = r->deadline;
    f->executed_at = r->executed_at;
    f->late = r->late;
    return 1;
}

/* What item r says about its row: the keys to add, and an event when it
 * is news. */
static bool note(struct fleetmod_guard *g, const struct fleetmod_reply *r,
                 const msgpack_object *item, struct found *f,
                 struct fm_extra *x, struct fm_jevent *ev)
{
    struct fm_jquery q = {.provider_id = r->id, .limit = 1};
    char err[FLEETMOD_ERR_MAX];
    if (!r->id || r->has_error || !fm_journal_lock(g->j, err, sizeof err))
        return false;
    int bad = g->j->be->list(g->j->db, &q, take, f, err, sizeof err);
    fm_journal_unlock(g->j);
    if (bad < 0 || !f->hit)
        return false;
    int state = fm_state_of(FLEETMOD_OK, r->status, NULL);
    int64_t executed = r->has_executed ? r->executed : 0;
    bool late = executed && f->deadline && executed > f->deadline;
    *x = (struct fm_extra){
        .journal = f->id, .deadline = f->deadline, .late = late || f->late};
    if (!strcmp(fm_jstate_name(state), f->state) &&
        (!executed || f->executed_at))
        return false;
    *ev = (struct fm_jevent){.journal_id = f->id,
                             .at = fm_now(),
                             .kind = "status",
                             .state = state,
                             .rc = -1,
                             .executed_at = executed,
                             .late = late,
                             .latency_ms = -1};
    /* What the vehicle returned (positions) is personal data. */
    if (g->j->pol.store_detail)
        ev->detail = fm_detail_json(item);
    return true;
}

struct status {
    struct fleetmod_reply r;
    const msgpack_object *obj;
    size_t n;
    struct found *found;
    struct fm_extra *x;
    struct fm_jevent *evs;
};

static void note_all(struct fleetmod_guard *g, struct status *s, fleetmod_rc rc)
{
    bool batch = s->r.status && !strcmp(s->r.status, "batch");
    const msgpack_object *res = batch ? fm_map_get(s->obj, "results") : NULL;
    size_t nev = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct fleetmod_reply *r = batch ? &s->r.results[i] : &s->r;
        const msgpack_object *o = batch ? &res->via.array.ptr[i] : s->obj;
        if ((batch || rc == FLEETMOD_OK) &&
            note(g, r, o, &s->found[i], &s->x[i], &s->evs[nev]))
            nev++;
    }
    if (nev)
        fm_guard_record(g, s->evs, nev);
    for (size_t i = 0; i < nev; i++)
        free((char *)s->evs[i].detail);
}

static int pack(msgpack_packer *pk, const msgpack_object *obj,
                const struct status *s, bool batch)
{
    if (!batch)
        return fm_pack_extra(pk, obj, &s->x[0]);
    const msgpack_object_map *m = &obj->via.map;
    int fail = msgpack_pack_map(pk, m->size);
    for (uint32_t i = 0; i < m->size && !fail; i++) {
        const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
        fail = msgpack_pack_object(pk, *k);
        if (fail || !fm_key_is(k, "results")) {
            fail = fail || msgpack_pack_object(pk, *v);
            continue;
        }
        fail = msgpack_pack_array(pk, v->via.array.size);
        for (uint32_t j = 0; j < v->via.array.size && !fail; j++)
            fail = fm_pack_extra(pk, &v->via.array.ptr[j], &s->x[j]);
    }
    return fail;
}

static fleetmod_rc relay(struct fleetmod_guard *g, fleetmod_rc rc,
                         const struct fleetmod_buf *b, msgpack_zone *zone,
                         fleetmod_write_fn write, void *sink)
{
    struct status s = {0};
    msgpack_object obj;
    const msgpack_object *res = NULL;
    bool ok = fleetmod_reply_decode(b->data, b->len, &s.r) == FLEETMOD_OK &&
              fm_msg_unpack(b->data, b->len, zone, &obj) == FLEETMOD_OK;
    if (ok)
        res = fm_map_get(&obj, "results");
    s.obj = &obj;
    bool batch = ok && res && res->type == MSGPACK_OBJECT_ARRAY &&
                 s.r.n_results == res->via.array.size && s.r.status &&
                 !strcmp(s.r.status, "batch");
    s.n = batch ? s.r.n_results : 1;
    s.found = calloc(s.n ? s.n : 1, sizeof *s.found);
    s.x = calloc(s.n ? s.n : 1, sizeof *s.x);
    s.evs = calloc(s.n ? s.n : 1, sizeof *s.evs);
    if (ok && s.found && s.x && s.evs && (batch || !res)) {
        note_all(g, &s, rc);
        msgpack_packer pk;
        msgpack_packer_init(&pk, sink, write);
        if (pack(&pk, &obj, &s, batch))
            rc = FLEETMOD_ENOMEM;
    } else if (write(sink, b->data, b->len)) {
        rc = FLEETMOD_ENOMEM;
    }
    free(s.found);
    free(s.x);
    free(s.evs);
    fleetmod_reply_free(&s.r);
    return rc;
}

FLEETMOD_API fleetmod_rc fleetmod_guard_status(struct fleetmod_guard *g,
                                               const char *req, size_t len,
                                               fleetmod_write_fn write,
                                               void *sink)
{
    if (!g || !write)
        return g ? FLEETMOD_EINVAL
                 : fleetmod_stack_status(NULL, req, len, write, sink);
    fleetmod_rc rc;
    if (fm_guard_forked(g, write, sink, &rc))
        return rc;
    struct fleetmod_buf b = {0};
    rc = fleetmod_stack_status(g->stack, req, len, fleetmod_buf_write, &b);
    msgpack_zone zone;
    if (!msgpack_zone_init(&zone, MSGPACK_ZONE_CHUNK_SIZE)) {
        fleetmod_buf_free(&b);
        return fm_stack_fail(NULL, NULL, FLEETMOD_ENOMEM, "out of memory",
                             write, sink);
    }
    rc = relay(g, rc, &b, &zone, write, sink);
    msgpack_zone_destroy(&zone);
    fleetmod_buf_free(&b);
    return rc;
}
