/*
 * journal/quota.c - when a quota refusal may be retried. The quota counts
 * the commands of the last 24 hours in the journal; a slot frees when the
 * quota-th newest of them turns 24 hours old, so retry_after_ms is that
 * moment (read only after a refusal, once per provider and call).
 */
#include <string.h>

#include "guard_int.h"

struct nth {
    int64_t created_at; /* of the last row seen: the quota-th newest */
};

static int take(void *user, const struct fm_jrow *r)
{
    ((struct nth *)user)->created_at = r->created_at;
    return 0;
}

static int64_t retry_ms(struct fleetmod_guard *g, const struct fm_gitem *it)
{
    char err[FLEETMOD_ERR_MAX];
    int64_t now = fm_now();
    struct nth n = {0};
    struct fm_jquery q = {.provider = it->in.ev.provider,
                          .since = now - 86400,
                          .limit = (size_t)it->in.quota};
    if (!fm_journal_lock(g->j, err, sizeof err))
        return 1000;
    g->j->be->list(g->j->db, &q, take, &n, err, sizeof err);
    fm_journal_unlock(g->j);
    /* Refused rows are listed too but not counted: the row found is the
     * quota-th counted one or a newer one, so the answer errs late, never
     * early (no caller is told to retry before a slot frees). */
    int64_t s = n.created_at ? n.created_at + 86400 - now : 1;
    return (s > 0 ? s : 1) * 1000;
}

void fm_quota_retry(struct fleetmod_guard *g, struct fm_gitem *items, size_t n)
{
    const char *provider = NULL;
    int64_t ms = 0;
    for (size_t i = 0; i < n; i++) {
        struct fm_gitem *it = &items[i];
        if (!it->in.refused || strcmp(it->in.refused, "quota") ||
            !it->in.ev.provider)
            continue;
        if (!provider || strcmp(provider, it->in.ev.provider)) {
            provider = it->in.ev.provider;
            ms = retry_ms(g, it);
        }
        it->retry_after_ms = ms;
    }
}
