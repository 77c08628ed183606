/*
 * journal/reconcile.c - settling the journal after a crash or a lost
 * answer (fleetmod-journal(7)). Every unresolved row with a provider id is
 * looked up through the guard's status path (which records what it
 * learns); a row still "sending" with no provider id can no longer get an
 * answer once the provider call's bound has passed, or at once when the
 * process that wrote it, on this host_id and this boot, is provably gone
 * (writer.h): it is marked "unknown" (it may have run). Nothing is ever
 * sent again.
 *
 * Adopting a dead machine's rows (fleetmod_guard_reconcile_host) settles
 * only that host_id's rows, and its "sending" rows without a provider id
 * at once: no process of that machine can be proven gone from here, so
 * the caller's word that the machine is down stands in for the proof.
 */
#include <stdlib.h>
#include <string.h>

#include "guard_int.h"
#include "writer.h"

struct pending {
    char id[64], provider_id[128], provider[64], state[16];
    int64_t created_at;
    bool ours;    /* written under this guard's host_id */
    bool adopted; /* of the dead host the caller named: its writer is gone */
    struct fm_jwriter writer;
};

struct collect {
    const char *host_id;
    const char *adopt; /* only this host_id's rows; NULL: every row */
    struct pending *p;
    size_t n, cap;
    bool oom;
};

static int take(void *user, const struct fm_jrow *r)
{
    struct collect *c = user;
    if (c->adopt && !(r->host_id && !strcmp(r->host_id, c->adopt)))
        return 0;
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
    p->ours = r->host_id && c->host_id && !strcmp(r->host_id, c->host_id);
    p->adopted = !!c->adopt;
    p->writer = r->writer;
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

static int still_sending(void *user, const struct fm_jrow *r)
{
    *(bool *)user = r->state && !strcmp(r->state, "sending") &&
                    !(r->provider_id && r->provider_id[0]);
    return 1;
}

/* Why p can get no answer any more, or NULL while it still may: the
 * call's bound has passed, or its writer is gone. */
static const char *lost(const struct pending *p, int64_t before)
{
    if (p->provider_id[0] || strcmp(p->state, "sending"))
        return NULL;
    if (p->adopted)
        return "its machine was reconciled as down and no answer was "
               "recorded; it may have run";
    if (p->created_at <= before)
        return "no answer was recorded; it may have run";
    if (p->ours && fm_writer_gone(&p->writer))
        return "the process sending it is gone and no answer was recorded; "
               "it may have run";
    return NULL;
}

/* Appends the "unknown" events. Each row is read again after its writer
 * was found gone: an outcome written just before the writer exited wins. */
static int append_lost(struct fleetmod_guard *g, struct fm_jevent *evs,
                       size_t *n, char *err, size_t errlen)
{
    size_t kept = 0;
    if (!*n)
        return 0;
    if (!fm_journal_lock(g->j, err, errlen))
        return -1;
    int bad = 0;
    for (size_t i = 0; i < *n && !bad; i++) {
        bool sending = false;
        struct fm_jquery q = {.journal_id = evs[i].journal_id, .limit = 1};
        bad = g->j->be->list(g->j->db, &q, still_sending, &sending, err,
                             errlen) < 0;
        if (sending)
            evs[kept++] = evs[i];
    }
    if (!bad && kept)
        bad = g->j->be->append(g->j->db, evs, kept, err, errlen);
    fm_journal_unlock(g->j);
    *n = bad ? 0 : kept;
    return bad ? -1 : 0;
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
        const char *why = lost(p, before);
        if (!why)
            continue;
        evs[(*n)++] = (struct fm_jevent){.journal_id = p->id,
                                         .at = fm_now(),
                                         .kind = "reconcile",
                                         .state = FM_J_UNKNOWN,
                                         .rc = -1,
                                         .delivered = "unknown",
                                         .latency_ms = -1,
                                         .note = why};
    }
    int bad = append_lost(g, evs, n, err, errlen);
    free(evs);
    return bad;
}

/* Both entry points: adopt NULL settles every row (the writer checks and
 * the bound decide), else only adopt's rows, its lost ones at once. */
static fleetmod_rc settle(struct fleetmod_guard *g, const char *adopt,
                          uint64_t wait_ms, int64_t max_call_s,
                          struct fleetmod_reconcile_result *out, char *err,
                          size_t errlen)
{
    struct fleetmod_reconcile_result res = {.struct_size = sizeof res};
    struct collect c = {.host_id = g->j->pol.host_id, .adopt = adopt};
    struct fm_jquery q = {.unresolved = true};
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

FLEETMOD_API fleetmod_rc fleetmod_guard_reconcile(
    struct fleetmod_guard *g, uint64_t wait_ms, int64_t max_call_s,
    struct fleetmod_reconcile_result *out, char *err, size_t errlen)
{
    if (!g || (out && out->struct_size < sizeof *out))
        return FLEETMOD_EINVAL;
    return settle(g, NULL, wait_ms, max_call_s, out, err, errlen);
}

FLEETMOD_API fleetmod_rc fleetmod_guard_reconcile_host(
    struct fleetmod_guard *g, const char *host_id, uint64_t wait_ms,
    struct fleetmod_reconcile_result *out, char *err, size_t errlen)
{
    if (!g || (out && out->struct_size < sizeof *out))
        return FLEETMOD_EINVAL;
    if (!host_id || !host_id[0]) {
        fm_err(err, errlen, "reconcile: no host_id to adopt");
        return FLEETMOD_EINVAL;
    }
    /* This machine's own writers may be alive: only the checks of the
     * plain reconcile may settle its rows. */
    if (g->j->pol.host_id && !strcmp(host_id, g->j->pol.host_id)) {
        fm_err(err, errlen,
               "reconcile: host_id '%s' is this machine's own (the policy's "
               "[journal] host_id); adopt only another, dead machine's rows",
               host_id);
        return FLEETMOD_EINVAL;
    }
    return settle(g, host_id, wait_ms, 0, out, err, errlen);
}
