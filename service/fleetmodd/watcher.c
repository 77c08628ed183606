/*
 * watcher.c - one thread that asks the guard about every open command this
 * host journaled (sent, confirmation, pending, unknown with a provider
 * id), in batched status calls of at most the stack's batch limit, so
 * that the guard records each new state and outbox.c queues it as an
 * event. It reads the open commands from the journal each round, so after
 * a restart it resumes where the last process stopped.
 *
 * Backoff: a round right after a poke (a command was created) or a
 * change, then doubling waits up to watch_interval while nothing moves.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fmd.h"

struct fmd_watcher {
    struct fmd *s;
    struct fmd_worker worker;
    int64_t delay_ms;      /* the wait after the last round */
    int64_t catchup_since; /* first round: terminal rows updated since */
};

struct ids {
    char **v;
    size_t n, cap;
    const char *host;
    int64_t since;
};

static bool open_state(const char *s)
{
    return s && (!strcmp(s, "sent") || !strcmp(s, "confirmation") ||
                 !strcmp(s, "pending") || !strcmp(s, "unknown"));
}

static int collect(void *user, const struct fleetmod_journal_row *r)
{
    struct ids *c = user;
    bool mine = r->host_id && c->host && !strcmp(r->host_id, c->host);
    /* The first round after a start also looks again at rows that ended
     * since the newest queued event: their last event may not have been
     * queued when the previous process stopped. */
    bool recent_end = c->since && r->updated_at >= c->since &&
                      !open_state(r->state) && r->state &&
                      strcmp(r->state, "refused");
    if (!mine || !r->provider_id || !(open_state(r->state) || recent_end))
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        char **v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return 1;
        c->v = v;
        c->cap = cap;
    }
    if (!(c->v[c->n] = strdup(r->provider_id)))
        return 1;
    c->n++;
    return 0;
}

/* One status call for ids[0..n). */
static fleetmod_rc ask(struct fmd *s, char **ids, size_t n)
{
    struct fleetmod_msg_builder *b = fleetmod_msg_builder_new();
    struct fleetmod_buf req = {0}, out = {0};
    fleetmod_rc rc = FLEETMOD_ENOMEM;
    if (b && !fleetmod_msg_builder_set_strs(b, "ids", (const char **)ids, n) &&
        !fleetmod_msg_builder_pack(b, &req)) {
        rc = fleetmod_guard_status(s->guard, req.data, req.len,
                                   fleetmod_buf_write, &out);
        if (rc == FLEETMOD_OK)
            fmd_event(s, out.data, out.len, true);
    }
    fleetmod_buf_free(&req);
    fleetmod_buf_free(&out);
    fleetmod_msg_builder_free(b);
    return rc;
}

/* One round; the number of open commands asked about, -1 on failure. */
static long round_once(struct fmd_watcher *w)
{
    struct ids c = {.host = fleetmod_journal_host_id(w->s->journal),
                    .since = w->catchup_since};
    /* The catch-up round reads a day of commands before its mark; the
     * others only the unresolved ones. */
    struct fleetmod_journal_filter f = {.struct_size = sizeof f,
                                        .unresolved = !c.since,
                                        .since = c.since ? c.since - 86400 : 0};
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc =
        fleetmod_journal_list(w->s->journal, &f, collect, &c, err, sizeof err);
    if (rc != FLEETMOD_OK)
        fmd_log(LOG_WARNING, "watcher: reading the journal: %s", err);
    w->catchup_since = 0;
    size_t max = fleetmod_stack_max_batch(w->s->stack);
    for (size_t i = 0; rc == FLEETMOD_OK && i < c.n; i += max) {
        size_t n = c.n - i < max ? c.n - i : max;
        fleetmod_rc r = ask(w->s, c.v + i, n);
        if (r != FLEETMOD_OK)
            fmd_log(LOG_WARNING, "watcher: status of %zu commands: %s", n,
                    fleetmod_rc_name(r));
    }
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i]);
    free(c.v);
    return rc == FLEETMOD_OK ? (long)c.n : -1;
}

static int64_t watch(void *arg, bool poked)
{
    struct fmd_watcher *w = arg;
    int64_t max_ms = (int64_t)w->s->conf.watch_interval * 1000;
    if (poked)
        w->delay_ms = 500;
    long open = round_once(w);
    /* Open commands: look again soon, then less and less often. */
    w->delay_ms = open > 0
                      ? (w->delay_ms * 2 > max_ms ? max_ms : w->delay_ms * 2)
                      : max_ms;
    return w->delay_ms;
}

struct fmd_watcher *fmd_watcher_start(struct fmd *s)
{
    struct fmd_watcher *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->s = s;
    int64_t newest = 0;
    char err[FLEETMOD_ERR_MAX];
    if (s->conf.webhook_url &&
        fleetmod_journal_outbox_stat(s->journal, NULL, &newest, err,
                                     sizeof err) == FLEETMOD_OK)
        w->catchup_since = newest;
    w->delay_ms = 1000;
    if (!fmd_worker_start(&w->worker, watch, w)) {
        free(w);
        return NULL;
    }
    return w;
}

void fmd_watcher_poke(struct fmd_watcher *w)
{
    if (w)
        fmd_worker_poke(&w->worker);
}

void fmd_watcher_stop(struct fmd_watcher *w)
{
    if (!w)
        return;
    fmd_worker_stop(&w->worker);
    free(w);
}
