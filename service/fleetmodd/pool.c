/*
 * pool.c - the workers that run routes. The HTTP threads (libmicrohttpd's
 * own pool) only move bytes; a request that calls a provider suspends its
 * connection and runs here, so a slow provider never stalls the other
 * connections of an HTTP thread. A fixed number of threads: no thread per
 * client.
 */
#include <pthread.h>
#include <stdlib.h>

#include "fmd.h"

struct job {
    void (*fn)(void *);
    void *arg;
    struct job *next;
};

struct fmd_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    bool stop;
    unsigned n;
    pthread_t *tids;
};

static void *worker(void *arg)
{
    struct fmd_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        struct job *j = p->head;
        if (!j)
            break; /* stopping, and nothing left to run */
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct fmd_pool *fmd_pool_start(unsigned n)
{
    struct fmd_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->tids = calloc(n, sizeof *p->tids))) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (; p->n < n; p->n++) {
        if (pthread_create(&p->tids[p->n], NULL, worker, p))
            break;
    }
    if (p->n == 0) {
        free(p->tids);
        free(p);
        return NULL;
    }
    return p;
}

void fmd_pool_run(struct fmd_pool *p, void (*fn)(void *), void *arg)
{
    struct job *j = malloc(sizeof *j);
    if (!j) {
        fn(arg); /* no memory for a queue entry: run it here */
        return;
    }
    *j = (struct job){fn, arg, NULL};
    pthread_mutex_lock(&p->mu);
    if (p->stop) {
        /* The workers are gone (SIGTERM): a request that slipped in runs
         * here, within its own bounds, rather than never. */
        pthread_mutex_unlock(&p->mu);
        free(j);
        fn(arg);
        return;
    }
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void fmd_pool_stop(struct fmd_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n; i++)
        pthread_join(p->tids[i], NULL);
    p->n = 0;
}

void fmd_pool_free(struct fmd_pool *p)
{
    if (!p)
        return;
    fmd_pool_stop(p);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->tids);
    free(p);
}
