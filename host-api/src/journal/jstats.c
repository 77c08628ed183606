/*
 * journal/jstats.c - `fleetcmd journal stats`: per provider and command,
 * counts by state, unresolved, call latency and created-to-executed
 * p50/p95, quota used and left. Three streaming queries (one GROUP BY on
 * a covering index, two scans), percentiles taken here, and one quota
 * count per provider (on the covering fm_commands_quota_state), so a
 * million commands stay well under two seconds, even all of one day.
 */
#include <stdlib.h>
#include <string.h>

#include "journal.h"

struct values {
    int64_t *v;
    size_t n, cap;
};

struct group {
    char *provider, *command;
    struct fleetmod_journal_stat s;
    struct values call, exec;
};

struct stats {
    struct group *g;
    size_t n, cap;
    size_t hint; /* the last group found: values come in runs */
    bool oom;
};

static bool same(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : a == b;
}

static struct group *find(struct stats *st, const char *p, const char *c)
{
    if (st->hint < st->n && same(st->g[st->hint].provider, p) &&
        same(st->g[st->hint].command, c))
        return &st->g[st->hint];
    for (size_t i = 0; i < st->n; i++) {
        if (same(st->g[i].provider, p) && same(st->g[i].command, c)) {
            st->hint = i;
            return &st->g[i];
        }
    }
    return NULL;
}

static char *dup_or_null(const char *s, bool *oom)
{
    char *d = s ? strdup(s) : NULL;
    *oom |= s && !d;
    return d;
}

static int each_count(void *user, const struct fm_jcount *k)
{
    struct stats *st = user;
    struct group *g = find(st, k->provider, k->command);
    if (!g) {
        if (st->n == st->cap) {
            size_t cap = st->cap ? 2 * st->cap : 16;
            struct group *grown = realloc(st->g, cap * sizeof *grown);
            if (!grown)
                return st->oom = true;
            st->g = grown;
            st->cap = cap;
        }
        g = &st->g[st->n++];
        *g = (struct group){0};
        g->provider = dup_or_null(k->provider, &st->oom);
        g->command = dup_or_null(k->command, &st->oom);
        if (st->oom)
            return 1;
    }
    for (int s = 0; s < FM_J_STATE_COUNT; s++) {
        if (k->state && !strcmp(k->state, fm_jstate_name(s)))
            g->s.by_state[s] += k->n;
    }
    g->s.total += k->n;
    g->s.unresolved += k->unresolved;
    return 0;
}

static int push(struct values *v, int64_t x)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
        int64_t *grown = realloc(v->v, cap * sizeof *grown);
        if (!grown)
            return 1;
        v->v = grown;
        v->cap = cap;
    }
    v->v[v->n++] = x;
    return 0;
}

static int each_call(void *user, const char *p, const char *c, int64_t x)
{
    struct stats *st = user;
    struct group *g = find(st, p, c);
    return g && push(&g->call, x) ? (st->oom = true) : 0;
}

static int each_exec(void *user, const char *p, const char *c, int64_t x)
{
    struct stats *st = user;
    struct group *g = find(st, p, c);
    return g && push(&g->exec, x) ? (st->oom = true) : 0;
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least pct% at or below it. */
static int64_t pct(struct values *v, int p)
{
    if (!v->n)
        return -1;
    size_t rank = (v->n * (size_t)p + 99) / 100;
    return v->v[rank ? rank - 1 : 0];
}

static void finish(struct fleetmod_journal *j, struct group *g)
{
    struct fleetmod_journal_stat *s = &g->s;
    s->struct_size = sizeof *s;
    s->provider = g->provider;
    s->command = g->command;
    /* qsort's array may not be NULL, even for no values. */
    if (g->call.n)
        qsort(g->call.v, g->call.n, sizeof *g->call.v, cmp);
    if (g->exec.n)
        qsort(g->exec.v, g->exec.n, sizeof *g->exec.v, cmp);
    s->call_p50_ms = pct(&g->call, 50);
    s->call_p95_ms = pct(&g->call, 95);
    s->executed_p50_s = pct(&g->exec, 50);
    s->executed_p95_s = pct(&g->exec, 95);
    const struct fm_prov_policy *pp = fm_policy_provider(&j->pol, g->provider);
    s->quota = pp ? pp->quota : -1;
}

/* The quota used of each provider, counted once and given to each of its
 * commands: the count reads every command of the provider's last 24 h, so
 * once per command would cost as many times that as it has commands. */
static int quotas(struct fleetmod_journal *j, struct stats *st, int64_t now,
                  char *err, size_t errlen)
{
    for (size_t i = 0; i < st->n; i++) {
        struct group *g = &st->g[i];
        g->s.quota_used = 0;
        if (!g->provider)
            continue;
        size_t k = 0;
        while (k < i && !same(st->g[k].provider, g->provider))
            k++;
        if (k < i)
            g->s.quota_used = st->g[k].s.quota_used;
        else if (j->be->quota_used(j->db, g->provider, now - 86400,
                                   &g->s.quota_used, err, errlen))
            return -1;
    }
    return 0;
}

static void stats_free(struct stats *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->g[i].provider);
        free(st->g[i].command);
        free(st->g[i].call.v);
        free(st->g[i].exec.v);
    }
    free(st->g);
}

static int gather(struct fleetmod_journal *j, struct stats *st, int64_t since,
                  char *err, size_t errlen)
{
    int r = j->be->counts(j->db, since, each_count, st, err, errlen);
    if (!r)
        r = j->be->latencies(j->db, since, false, each_call, st, err, errlen);
    if (!r)
        r = j->be->latencies(j->db, since, true, each_exec, st, err, errlen);
    for (size_t i = 0; !r && i < st->n; i++)
        finish(j, &st->g[i]);
    return r ? r : quotas(j, st, fm_now(), err, errlen);
}

FLEETMOD_API fleetmod_rc fleetmod_journal_stats(struct fleetmod_journal *j,
                                                int64_t since,
                                                fleetmod_journal_stat_fn fn,
                                                void *user, char *err,
                                                size_t errlen)
{
    if (!j || !fn)
        return FLEETMOD_EINVAL;
    struct stats st = {0};
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    int r = gather(j, &st, since, err, errlen);
    fm_journal_unlock(j);
    fleetmod_rc rc = st.oom  ? FLEETMOD_ENOMEM
                     : r < 0 ? FLEETMOD_EINTERNAL
                             : FLEETMOD_OK;
    if (st.oom)
        fm_err(err, errlen, "journal stats: out of memory");
    for (size_t i = 0; rc == FLEETMOD_OK && i < st.n; i++) {
        if (fn(user, &st.g[i].s))
            break;
    }
    stats_free(&st);
    return rc;
}

FLEETMOD_API const char *fleetmod_journal_state_name(int i)
{
    return fm_jstate_name(i);
}
