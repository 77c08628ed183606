/*
 * poolwait.c - many threads calling one instance at the same moment and
 * again as soon as each call returns, to see how long each call waits for
 * a connection or a token while later calls keep arriving.
 *
 *   poolwait MODULE CONFIG THREADS CALLS
 *
 * Starts THREADS threads; each waits at a barrier, then sends CALLS
 * location commands in a row for the simulator's first fixture vehicle.
 * Prints one JSON line per call: {"ms": wall time on CLOCK_MONOTONIC,
 * "rc": rc, "delivered": error.delivered or ""}.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "modcall.h"

static const struct fleetmod_module *mod;
static struct fleetmod_instance *inst;
static pthread_barrier_t start;
static int calls;

struct result {
    double ms;
    fleetmod_rc rc;
    char delivered[16];
};

/* One thread's calls; arg: its CALLS results. */
static void *one(void *arg)
{
    struct result *res = arg;

    pthread_barrier_wait(&start);
    for (int i = 0; i < calls; i++) {
        struct rel_reply r;
        rel_call(mod->send, inst, &r, "vin", "6AHFT68CKAF501652", "command",
                 "location", NULL);
        res[i].ms = r.ms;
        res[i].rc = r.rc;
        rel_str(msgmap_get(r.map, "error"), "delivered", res[i].delivered,
                sizeof res[i].delivered);
        rel_reply_free(&r);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct rel_module m;
    pthread_t *th;
    struct result *res;
    int n;

    if (argc != 5 || (n = atoi(argv[3])) < 1 || (calls = atoi(argv[4])) < 1) {
        fprintf(stderr, "usage: poolwait MODULE CONFIG THREADS CALLS\n");
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
    res = calloc((size_t)n * (size_t)calls, sizeof *res);
    if (!th || !res)
        return 2;
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, one, &res[(size_t)i * (size_t)calls]);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    for (size_t i = 0; i < (size_t)n * (size_t)calls; i++)
        printf("{\"ms\":%.1f,\"rc\":%d,\"delivered\":\"%s\"}\n", res[i].ms,
               (int)res[i].rc, res[i].delivered);
    pthread_barrier_destroy(&start);
    mod->shutdown(inst);
    rel_module_close(&m);
    free(th);
    free(res);
    return 0;
}
