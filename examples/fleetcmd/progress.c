/*
 * progress.c - a ticker thread for one long call.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "wait.h"

/* Rewritten five times a second: smooth enough to read, cheap. */
#define TICK_MS 200

static struct timespec abs_after(uint64_t ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    return ts;
}

static void *tick(void *arg)
{
    struct fc_progress *p = arg;
    struct timespec due = abs_after(FC_PROGRESS_AFTER_MS);

    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        if (pthread_cond_timedwait(&p->cond, &p->mu, &due) == 0)
            continue; /* woken: stop, or spurious */
        fprintf(stderr, "\r%s... %.1f s\033[K", p->what,
                (double)(fc_now_ms() - p->start_ms) / 1000.0);
        p->shown = true;
        due = abs_after(TICK_MS);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

void fc_progress_start(struct fc_progress *p, const char *what)
{
    pthread_condattr_t attr;

    snprintf(p->what, sizeof p->what, "%s", what);
    p->running = p->stop = p->shown = false;
    p->start_ms = fc_now_ms();
    if (!isatty(STDERR_FILENO))
        return;
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cond, &attr);
    pthread_condattr_destroy(&attr);
    p->running = pthread_create(&p->thread, NULL, tick, p) == 0;
    if (!p->running) {
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->mu);
    }
}

void fc_progress_stop(struct fc_progress *p)
{
    if (!p->running)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    if (p->shown)
        fputs("\r\033[K", stderr);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mu);
    p->running = false;
}
