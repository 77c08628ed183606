#include "delay.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

struct waiter {
    struct MHD_Connection *conn;
    struct timespec due;
    struct waiter *next; /* sorted by due */
};

struct delay {
    pthread_mutex_t mu;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC */
    pthread_t thread;
    struct waiter *head;
    bool stopping;
};

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec ||
           (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *run(void *arg)
{
    struct delay *d = arg;
    pthread_mutex_lock(&d->mu);
    while (!d->stopping || d->head) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        struct waiter *w = d->head;
        if (w && (d->stopping || !before(&now, &w->due))) {
            d->head = w->next;
            MHD_resume_connection(w->conn);
            free(w);
        } else if (w) {
            pthread_cond_timedwait(&d->cond, &d->mu, &w->due);
        } else {
            pthread_cond_wait(&d->cond, &d->mu);
        }
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

struct delay *delay_start(void)
{
    struct delay *d = calloc(1, sizeof *d);
    pthread_condattr_t attr;
    if (!d)
        return NULL;
    pthread_mutex_init(&d->mu, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&d->thread, NULL, run, d) != 0) {
        pthread_cond_destroy(&d->cond);
        pthread_mutex_destroy(&d->mu);
        free(d);
        return NULL;
    }
    return d;
}

int delay_add(struct delay *d, struct MHD_Connection *c, long ms)
{
    struct waiter *w = malloc(sizeof *w);
    if (!w)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &w->due);
    int64_t ns = w->due.tv_nsec + (int64_t)(ms % 1000) * 1000000;
    w->due.tv_sec += ms / 1000 + ns / 1000000000;
    w->due.tv_nsec = ns % 1000000000;
    w->conn = c;
    pthread_mutex_lock(&d->mu);
    if (d->stopping) {
        pthread_mutex_unlock(&d->mu);
        free(w);
        return -1;
    }
    MHD_suspend_connection(c);
    struct waiter **link = &d->head;
    while (*link && !before(&w->due, &(*link)->due))
        link = &(*link)->next;
    w->next = *link;
    *link = w;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->mu);
    return 0;
}

void delay_stop(struct delay *d)
{
    pthread_mutex_lock(&d->mu);
    d->stopping = true;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->thread, NULL);
}

void delay_free(struct delay *d)
{
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->mu);
    free(d);
}
