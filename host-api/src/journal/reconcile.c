/*
 * journal/reconcile.c - settling the journal after a crash or a lost
 * answer (fleetmod-journal(7)). Every unresolved row with a provider id is
 * looked up through the guard's status path (which records what it
 * learns); a row still "sending" with no provider id and older than the
 * provider call's bound can no longer get an answer: it is marked
 * "unknown" (it may have run). Nothing is ever sent again.
 */
#include <stdlib.h>
#include <string.h>

#include "guard_int.h"

struct pending {
    char id[64], provider_id[128], provider[64], state[16];
    int64_t created_at;
};

struct collect {
    struct pending *p;
    size_t n, cap;
    bool oom;
};

static int take(void *user, const struct fm_jrow *r)
{
    struct collect *c = user;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct pending *grown = realloc(c->p, cap * sizeof *grown);
        if (!grown)
            return c->oom = true;
        c->p = grown;
        c->cap = cap;
    }
    struct pending *p = &c->p[c->n++];
    snprintf(p->id, sizeof p->id, "%s", r->journal_id);
    snprintf(p->provider_id, sizeof p->provider_id, "%s",
             r->provider_id ? r->provider_id : "");
    snprintf(p->provider, sizeof p->provider, "%s",
             r->provider ? r->provider : "");
    snprintf(p->state, sizeof p->state, "%s", r->state ? r->state : "");
    p->created_at = r->created_at;
    return 0;
}

static int state_now(void *user, const struct fm_jrow *r)
{
    snprintf(user, 16, "%s", r->state ? r->state : "");
    return 1;
}

/* Ask the provider about p through the guard (which records the answer);
 * true when the row's state changed. */
static fleetmod_rc ask(struct fleetmod_guard *g, const struct pending *p,
                       uint64_t wait_ms, bool *changed)
{
    struct fleetmod_request req = {.id = p->provider_id,
                                   .provider =
                                       p->provider[0] ? p->provider : NULL,
                                   .wait_ms = wait_ms};
    struct fleetmod_buf in = {0}, out = {0};
    fleetmod_rc rc = fleetmod_request_pack(&req, &in);
    if (rc == FLEETMOD_OK)
        rc =
            fleetmod_guard_status(g, in.data, in.len, fleetmod_buf_write, &out);
    fleetmod_buf_free(&in);
    fleetmod_buf_free(&out);
    char state[16] = "", err[FLEETMOD_ERR_MAX];
    struct fm_jquery q = {.journal_id = p->id, .limit = 1};
    if (fm_journal_lock(g->j, err, sizeof err)) {
        g->j->be->list(g->j->db, &q, state_now, state, err, sizeof err);
        fm_journal_unlock(g->j);
    }
    *changed = strcmp(state, p->state) != 0;
    return rc;
}

static int mark_unknown(struct fleetmod_guard *g, struct collect *c,
                        int64_t before, size_t *n, char *err, size_t errlen)
{
    struct fm_jevent *evs = calloc(c->n ? c->n : 1, sizeof *evs);
    if (!evs)
        return -1;
    *n = 0;
    for (size_t i = 0; i < c->n; i++) {
        const struct pending *p = &c->p[i];
        if (p->provider_id[0] || strcmp(p->state, "sending") ||
            p->created_at > before)
            continue;
        evs[(*n)++] = (struct fm_jevent){
            .journal_id = p->id,
            .at = fm_now(),
            .kind = "reconcile",
            .state = FM_J_UNKNOWN,
            .rc = -1,
            .delivered = "unknown",
            .latency_ms = -1,
            .note = "no answer was recorded; it may have run"};
    }
    int bad = 0;
    if (*n) {
        bad = !fm_journal_lock(g->j, err, errlen);
        if (!bad) {
            bad = g->j->be->append(g->j->db, evs, *n, err, errlen);
            fm_journal_unlock(g->j);
        }
    }
    free(evs);
    return bad ? -1 : 0;
}

FLEETMOD_API fleetmod_rc fleetmod_guard_reconcile(
    struct fleetmod_guard *g, uint64_t wait_ms, int64_t max_call_s,
    struct fleetmod_reconcile_result *out, char *err, size_t errlen)
{
    struct fleetmod_reconcile_result res = {.struct_size = sizeof res};
    struct collect c = {0};
    struct fm_jquery q = {.unresolved = true};
    if (!g || (out && out->struct_size < sizeof *out))
        return FLEETMOD_EINVAL;
    if (!fm_journal_lock(g->j, err, errlen))
        return FLEETMOD_EINTERNAL;
    int bad = g->j->be->list(g->j->db, &q, take, &c, err, errlen) < 0;
    fm_journal_unlock(g->j);
    fleetmod_rc rc = c.oom ? FLEETMOD_ENOMEM
                     : bad ? FLEETMOD_EINTERNAL
                           : FLEETMOD_OK;
    for (size_t i = 0; rc == FLEETMOD_OK && i < c.n; i++) {
        bool changed = false;
        if (!c.p[i].provider_id[0])
            continue;
        res.asked++;
        if (ask(g, &c.p[i], wait_ms, &changed) != FLEETMOD_OK)
            res.failed++;
        res.resolved += changed;
    }
    if (rc == FLEETMOD_OK &&
        mark_unknown(g, &c, fm_now() - max_call_s, &res.unknown, err, errlen))
        rc = FLEETMOD_EINTERNAL;
    free(c.p);
    if (out)
        *out = res;
    return rc;
}
