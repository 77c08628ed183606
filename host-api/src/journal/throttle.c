/*
 * journal/throttle.c - the in-process guards of one provider (a stack
 * section): the breaker, the token bucket and a 429's pause. They are per
 * process by design (fleetmod-policy(5)): they protect this process's callers
 * from waiting on a provider that is down or throttling; the quota, which must
 * be shared, lives in the journal.
 */
#include <string.h>

#include "guard_int.h"

struct fm_throttle *fm_throttle_of(struct fleetmod_guard *g,
                                   const char *section)
{
    for (size_t i = 0; section && i < g->n_t; i++) {
        if (!strcmp(g->t[i].section, section))
            return &g->t[i];
    }
    return NULL;
}

static void refuse(struct fm_gitem *it, const char *reason, const char *name,
                   int64_t retry_ms, const char *why)
{
    it->in.refuse = reason;
    it->in.refuse_error = name;
    it->retry_after_ms = retry_ms > 0 ? retry_ms : 1;
    it->why = why;
}

/* Open: fail at once until the cool-down ends; then exactly one call (the
 * probe) goes through while the others still fail. */
static bool breaker_refuses(struct fm_throttle *t, struct fm_gitem *it,
                            int64_t now)
{
    if (!t->open)
        return false;
    if (now >= t->open_until_ms && !t->probing) {
        t->probing = true;
        it->probe = true;
        return false;
    }
    refuse(it, "breaker_open", "EUNREACHABLE",
           t->open_until_ms > now ? t->open_until_ms - now : 1000,
           "the provider failed repeatedly; calls fail at once until it "
           "answers again");
    return true;
}

/* "rate = N/unit": a bucket of N tokens (the burst), refilled at N per
 * unit. */
static bool bucket_refuses(struct fm_throttle *t, struct fm_gitem *it,
                           int64_t now)
{
    double rate = t->pol->rate, burst = t->pol->burst;
    if (t->refill_ms == 0)
        t->tokens = burst;
    else
        t->tokens += (double)(now - t->refill_ms) * rate / 1000.0;
    if (t->tokens > burst)
        t->tokens = burst;
    t->refill_ms = now;
    if (t->tokens >= 1.0) {
        t->tokens -= 1.0;
        return false;
    }
    refuse(it, "rate", "ERATELIMIT",
           (int64_t)((1.0 - t->tokens) * 1000.0 / rate) + 1,
           "over the rate this host allows for the provider");
    return true;
}

void fm_throttle_check(struct fleetmod_guard *g, struct fm_gitem *it)
{
    struct fm_throttle *t = it->t;
    if (!t || it->in.refuse)
        return;
    int64_t now = fm_now_ms();
    pthread_mutex_lock(&g->mu);
    /* The pause first: a provider that said 429 costs no token. */
    if (!breaker_refuses(t, it, now)) {
        if (now < t->pause_until_ms)
            refuse(it, "provider_429", "ERATELIMIT", t->pause_until_ms - now,
                   "the provider asked this host to slow down (429)");
        else if (t->pol && t->pol->rate > 0)
            bucket_refuses(t, it, now);
        if (it->in.refuse && it->probe) {
            t->probing = false;
            it->probe = false;
        }
    }
    pthread_mutex_unlock(&g->mu);
}

void fm_throttle_done(struct fleetmod_guard *g, struct fm_gitem *it,
                      fleetmod_rc rc, int64_t retry_after_ms)
{
    struct fm_throttle *t = it->t;
    if (!t)
        return;
    int64_t now = fm_now_ms();
    bool down = rc == FLEETMOD_EUNREACHABLE || rc == FLEETMOD_EUNKNOWN;
    pthread_mutex_lock(&g->mu);
    if (rc == FLEETMOD_ERATELIMIT && retry_after_ms > 0 &&
        now + retry_after_ms > t->pause_until_ms)
        t->pause_until_ms = now + retry_after_ms;
    if (t->pol && t->pol->breaker_n > 0) {
        if (!down) {
            t->fails = 0;
            t->open = false;
        } else if (it->probe || ++t->fails >= t->pol->breaker_n) {
            t->open = true;
            t->open_until_ms = now + t->pol->breaker_s * 1000;
        }
        if (it->probe)
            t->probing = false;
    }
    pthread_mutex_unlock(&g->mu);
}

void fm_throttle_unprobe(struct fleetmod_guard *g, struct fm_gitem *it)
{
    if (!it->probe)
        return;
    pthread_mutex_lock(&g->mu);
    it->t->probing = false;
    pthread_mutex_unlock(&g->mu);
    it->probe = false;
}
