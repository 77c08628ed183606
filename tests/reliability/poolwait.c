/*
 * poolwait.c - many threads calling one instance at the same moment, to
 * see how long each waits for a connection or a token.
 *
 *   poolwait MODULE CONFIG THREADS
 *
 * Starts THREADS threads; each waits at a barrier, then sends one
 * location command for the simulator's first fixture vehicle. Prints one
 * JSON line per call: {"ms": wall time on CLOCK_MONOTONIC, "rc": rc,
 * "delivered": error.delivered or ""}.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "modcall.h"

static const struct fleetmod_module *mod;
static struct fleetmod_instance *inst;
static pthread_barrier_t start;

struct result {
    double ms;
    fleetmod_rc rc;
    char delivered[16];
};

static void *one(void *arg)
{
    struct result *res = arg;
    struct rel_reply r;

    pthread_barrier_wait(&start);
    rel_call(mod->send, inst, &r, "vin", "6AHFT68CKAF501652", "command",
             "location", NULL);
    res->ms = r.ms;
    res->rc = r.rc;
    rel_str(msgmap_get(r.map, "error"), "delivered", res->delivered,
            sizeof res->delivered);
    rel_reply_free(&r);
    return NULL;
}

int main(int argc, char **argv)
{
    struct rel_module m;
    pthread_t *th;
    struct result *res;
    int n;

    if (argc != 4 || (n = atoi(argv[3])) < 1) {
        fprintf(stderr, "usage: poolwait MODULE CONFIG THREADS\n");
        return 2;
    }
    if (rel_module_open(&m, argv[1]) != 0)
        return 2;
    mod = m.table;
    if (mod->init(rel_host(), argv[2], &inst) != FLEETMOD_OK) {
        fprintf(stderr, "poolwait: init failed\n");
        return 2;
    }
    th = calloc((size_t)n, sizeof *th);
    res = calloc((size_t)n, sizeof *res);
    if (!th || !res)
        return 2;
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, one, &res[i]);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < n; i++)
        printf("{\"ms\":%.1f,\"rc\":%d,\"delivered\":\"%s\"}\n", res[i].ms,
               (int)res[i].rc, res[i].delivered);
    pthread_barrier_destroy(&start);
    mod->shutdown(inst);
    rel_module_close(&m);
    free(th);
    free(res);
    return 0;
}
