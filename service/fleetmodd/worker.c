/*
 * worker.c - the one background thread shape fleetmodd uses twice (the
 * watcher and the webhook): run a round, sleep until the round's delay
 * passes, a poke comes or stop is asked, and again. The round runs
 * without the mutex, so a poke during a round is never lost: it skips
 * the next wait.
 */
#include <time.h>

#include "fmd.h"

static void *loop(void *arg)
{
    struct fmd_worker *wk = arg;
    pthread_mutex_lock(&wk->mu);
    while (!wk->stop) {
        bool poked = wk->poked;
        wk->poked = false;
        pthread_mutex_unlock(&wk->mu);
        int64_t delay_ms = wk->round(wk->user, poked);
        pthread_mutex_lock(&wk->mu);
        if (delay_ms <= 0)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += delay_ms / 1000;
        until.tv_nsec += (delay_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        while (!wk->stop && !wk->poked &&
               pthread_cond_timedwait(&wk->cv, &wk->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&wk->mu);
    return NULL;
}

bool fmd_worker_start(struct fmd_worker *wk, fmd_worker_round round, void *user)
{
    wk->round = round;
    wk->user = user;
    wk->stop = false;
    wk->poked = false;
    pthread_mutex_init(&wk->mu, NULL);
    pthread_cond_init(&wk->cv, NULL);
    if (pthread_create(&wk->tid, NULL, loop, wk)) {
        pthread_mutex_destroy(&wk->mu);
        pthread_cond_destroy(&wk->cv);
        return false;
    }
    return true;
}

/* Sets one flag under the mutex and wakes the thread. */
static void wake(struct fmd_worker *wk, atomic_bool *flag)
{
    pthread_mutex_lock(&wk->mu);
    *flag = true;
    pthread_cond_signal(&wk->cv);
    pthread_mutex_unlock(&wk->mu);
}

void fmd_worker_poke(struct fmd_worker *wk)
{
    wake(wk, &wk->poked);
}

bool fmd_worker_stopping(struct fmd_worker *wk)
{
    return wk->stop;
}

void fmd_worker_stop(struct fmd_worker *wk)
{
    wake(wk, &wk->stop);
    pthread_join(wk->tid, NULL);
    pthread_mutex_destroy(&wk->mu);
    pthread_cond_destroy(&wk->cv);
}
