/*
 * journal/jread.c - reading the journal for people and tools: list, show
 * and verify (stats are in jstats.c). Thin adapters over the backend, so
 * that `fleetcmd journal` is a printer and nothing more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

struct rows {
    fleetmod_journal_row_fn fn;
    void *user;
    size_t n;
};

static int each_row(void *user, const struct fm_jrow *r)
{
    struct rows *c = user;
    struct fleetmod_journal_row out = {.struct_size = sizeof out,
                                       .journal_id = r->journal_id,
                                       .host_id = r->host_id,
                                       .provider = r->provider,
                                       .vin = r->vin,
                                       .command = r->command,
                                       .requester = r->requester,
                                       .reason = r->reason,
                                       .request_id = r->request_id,
                                       .provider_id = r->provider_id,
                                       .state = r->state,
                                       .rc = r->rc,
                                       .error_name = r->error_name,
                                       .delivered = r->delivered,
                                       .deadline = r->deadline,
                                       .created_at = r->created_at,
                                       .sent_at = r->sent_at,
                                       .updated_at = r->updated_at,
                                       .executed_at = r->executed_at,
                                       .late = r->late,
                                       .latency_ms = r->latency_ms};
    c->n++;
    return c->fn ? c->fn(c->user, &out) : 0;
}

static fleetmod_rc list(struct fleetmod_journal *j, const struct fm_jquery *q,
                        struct rows *c, char *err, size_t errlen)
{
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    int bad = j->be->list(j->db, q, each_row, c, err, errlen);
    fm_journal_unlock(j);
    return bad < 0 ? FLEETMOD_EINTERNAL : FLEETMOD_OK;
}

FLEETMOD_API fleetmod_rc fleetmod_journal_list(
    struct fleetmod_journal *j, const struct fleetmod_journal_filter *f,
    fleetmod_journal_row_fn fn, void *user, char *err, size_t errlen)
{
    if (!j || !fn || (f && f->struct_size < sizeof *f))
        return FLEETMOD_EINVAL;
    struct fm_jquery q = {0};
    if (f)
        q = (struct fm_jquery){.vin = f->vin,
                               .since = f->since,
                               .open = f->unresolved,
                               .limit = f->limit};
    struct rows c = {fn, user, 0};
    return list(j, &q, &c, err, errlen);
}

struct events {
    fleetmod_journal_event_fn fn;
    void *user;
};

static int each_event(void *user, const struct fm_jevent *e)
{
    struct events *c = user;
    char hash[2 * FM_JHASH_LEN + 1];
    fm_jhex(e->hash, hash);
    struct fleetmod_journal_event out = {.struct_size = sizeof out,
                                         .seq = e->seq,
                                         .host_id = e->host_id,
                                         .journal_id = e->journal_id,
                                         .at = e->at,
                                         .kind = e->kind,
                                         .state = fm_jstate_name(e->state),
                                         .rc = e->rc,
                                         .error_name = e->error_name,
                                         .delivered = e->delivered,
                                         .provider_id = e->provider_id,
                                         .note = e->note,
                                         .detail = e->detail,
                                         .http_status = e->http_status,
                                         .executed_at = e->executed_at,
                                         .late = e->late,
                                         .hash = hash};
    return c->fn ? c->fn(c->user, &out) : 0;
}

FLEETMOD_API fleetmod_rc fleetmod_journal_show(
    struct fleetmod_journal *j, const char *journal_id,
    fleetmod_journal_row_fn row_fn, fleetmod_journal_event_fn event_fn,
    void *user, char *err, size_t errlen)
{
    if (!j || !journal_id)
        return FLEETMOD_EINVAL;
    struct fm_jquery q = {.journal_id = journal_id, .limit = 1};
    struct rows c = {row_fn, user, 0};
    fleetmod_rc rc = list(j, &q, &c, err, errlen);
    if (rc != FLEETMOD_OK)
        return rc;
    if (!c.n) {
        fm_err(err, errlen, "journal: no command %s", journal_id);
        return FLEETMOD_ENOTFOUND;
    }
    struct events ec = {event_fn, user};
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    int bad = j->be->events(j->db, journal_id, each_event, &ec, err, errlen);
    fm_journal_unlock(j);
    return bad < 0 ? FLEETMOD_EINTERNAL : FLEETMOD_OK;
}

/* ---- verify -------------------------------------------------------------*
 *
 * Each event's hash is recomputed over the hash of the event before it in
 * its host's chain, so a changed, deleted or reordered event shows at the
 * first event whose hash no longer matches. A stored prev_hash is not
 * needed for that (SQLite does not store it); where a backend stores one,
 * a mismatch tells a deletion from a change. A chain's first event follows
 * zeros, or, once pruned, the anchor a "pruned" event of the chain names:
 * until that event is seen, a copy of the first event waits.
 */

struct walk {
    struct fleetmod_journal_verdict *v;
    char host[128];
    uint8_t last[FM_JHASH_LEN];
    bool pending;           /* the first event awaits its anchor */
    struct fm_jevent first; /* a copy of it (strings in first_buf) */
    char *first_buf;
    bool oom;
};

static int bad(struct walk *w, const struct fm_jevent *e, const char *why)
{
    struct fleetmod_journal_verdict *v = w->v;
    v->intact = false;
    v->bad_seq = e->seq;
    snprintf(v->bad_host, sizeof v->bad_host, "%s", e->host_id);
    snprintf(v->bad_journal_id, sizeof v->bad_journal_id, "%s",
             e->journal_id ? e->journal_id : "");
    snprintf(v->why, sizeof v->why, "%s", why);
    return 1;
}

/* Keep a deep copy of e as the chain's first event. */
static bool keep_first(struct walk *w, const struct fm_jevent *e)
{
    struct fm_jevent *f = &w->first;
    const char **s[] = {&f->host_id,    &f->journal_id, &f->kind,
                        &f->provider,   &f->vin,        &f->command,
                        &f->requester,  &f->reason,     &f->request_id,
                        &f->error_name, &f->delivered,  &f->provider_id,
                        &f->note,       &f->detail};
    size_t n = sizeof s / sizeof *s, len = 1;
    free(w->first_buf);
    *f = *e;
    for (size_t i = 0; i < n; i++)
        len += *s[i] ? strlen(*s[i]) + 1 : 0;
    char *buf = w->first_buf = malloc(len);
    if (!buf)
        return !(w->oom = true);
    for (size_t i = 0; i < n; i++) {
        if (!*s[i])
            continue;
        size_t k = strlen(*s[i]) + 1;
        memcpy(buf, *s[i], k);
        *s[i] = buf;
        buf += k;
    }
    return true;
}

static bool names_anchor(const struct fm_jevent *e, uint8_t a[FM_JHASH_LEN])
{
    const char *p = e->note ? strstr(e->note, "anchor ") : NULL;
    return p && !fm_junhex(p + 7, a);
}

/* The first event after a gap: it must follow the pruned anchor. */
static void try_anchor(struct walk *w, const struct fm_jevent *e)
{
    uint8_t a[FM_JHASH_LEN], h[FM_JHASH_LEN];
    if (!w->pending || !e->kind || strcmp(e->kind, "pruned") ||
        !names_anchor(e, a))
        return;
    memcpy(w->first.prev_hash, a, FM_JHASH_LEN);
    fm_jhash_compute(&w->first, h);
    w->pending = memcmp(h, w->first.hash, FM_JHASH_LEN) != 0;
}

static int end_chain(struct walk *w)
{
    if (w->pending)
        return bad(w, &w->first,
                   "the chain does not start at zero nor at an anchor a "
                   "pruned event records (its first events were deleted, "
                   "or this one changed)");
    return 0;
}

static int start_chain(struct walk *w, const struct fm_jevent *e)
{
    uint8_t h[FM_JHASH_LEN];
    struct fm_jevent z = *e;
    if (w->v->events && end_chain(w))
        return 1;
    w->v->chains++;
    snprintf(w->host, sizeof w->host, "%s", e->host_id);
    memset(z.prev_hash, 0, FM_JHASH_LEN);
    fm_jhash_compute(&z, h);
    w->pending = memcmp(h, e->hash, FM_JHASH_LEN) != 0;
    if (w->pending && !keep_first(w, e))
        return 1;
    return 0;
}

static int check(void *user, const struct fm_jevent *e)
{
    struct walk *w = user;
    static const uint8_t zero[FM_JHASH_LEN];
    uint8_t h[FM_JHASH_LEN];
    if (!e->host_id)
        return bad(w, e, "an event without host_id");
    if (!w->v->events || strcmp(w->host, e->host_id)) {
        if (start_chain(w, e))
            return 1;
    } else {
        struct fm_jevent linked = *e;
        memcpy(linked.prev_hash, w->last, FM_JHASH_LEN);
        fm_jhash_compute(&linked, h);
        bool stored = memcmp(e->prev_hash, zero, FM_JHASH_LEN) != 0;
        if (stored && memcmp(e->prev_hash, w->last, FM_JHASH_LEN))
            return bad(w, e,
                       "prev_hash is not the previous event's hash (an "
                       "event was deleted or reordered)");
        if (memcmp(h, e->hash, FM_JHASH_LEN))
            return bad(w, e,
                       stored ? "the hash does not match the event (the "
                                "event was changed)"
                              : "the hash does not match: this event was "
                                "changed, or the one before it deleted or "
                                "reordered");
    }
    w->v->events++;
    try_anchor(w, e);
    memcpy(w->last, e->hash, FM_JHASH_LEN);
    return 0;
}

FLEETMOD_API fleetmod_rc fleetmod_journal_verify(
    struct fleetmod_journal *j, struct fleetmod_journal_verdict *out, char *err,
    size_t errlen)
{
    if (!j || !out || out->struct_size < sizeof *out)
        return FLEETMOD_EINVAL;
    *out = (struct fleetmod_journal_verdict){.struct_size = sizeof *out,
                                             .intact = true};
    struct walk w = {.v = out};
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    int r = j->be->events(j->db, NULL, check, &w, err, errlen);
    fm_journal_unlock(j);
    if (!r && out->events)
        end_chain(&w);
    free(w.first_buf);
    if (w.oom)
        fm_err(err, errlen, "journal verify: out of memory");
    return w.oom ? FLEETMOD_ENOMEM : r < 0 ? FLEETMOD_EINTERNAL : FLEETMOD_OK;
}
