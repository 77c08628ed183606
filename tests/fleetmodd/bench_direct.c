/*
 * bench_direct.c - the baseline of `make bench-fleetmodd`: a C host calling
 * the guard directly, THREADS threads each sending CALLS commands
 * (location to VIN) through one guard in front of one stack, as fleetmodd
 * does for its HTTP clients. Prints "direct N commands/s".
 *
 *   bench_direct STACK POLICY THREADS CALLS VIN
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <fleetmod/host.h>

struct job {
    struct fleetmod_guard *g;
    int calls;
    const char *vin;
    int failed;
};

static void *run(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < j->calls; i++) {
        struct fleetmod_msg_builder *b = fleetmod_msg_builder_new();
        struct fleetmod_buf req = {0}, out = {0};
        if (!b || fleetmod_msg_builder_set_str(b, "vin", j->vin) ||
            fleetmod_msg_builder_set_str(b, "command", "location") ||
            fleetmod_msg_builder_set_str(b, "requester", "bench") ||
            fleetmod_msg_builder_pack(b, &req) ||
            fleetmod_guard_send(j->g, req.data, req.len, fleetmod_buf_write,
                                &out) != FLEETMOD_OK)
            j->failed++;
        fleetmod_buf_free(&req);
        fleetmod_buf_free(&out);
        fleetmod_msg_builder_free(b);
    }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_direct STACK POLICY THREADS CALLS VIN\n");
        return 64;
    }
    char err[FLEETMOD_ERR_MAX];
    struct fleetmod_stack *s = NULL;
    struct fleetmod_guard *g = NULL;
    if (fleetmod_stack_open(argv[1], NULL, &s, err, sizeof err) ||
        fleetmod_guard_open(argv[2], s, NULL, &g, err, sizeof err)) {
        fprintf(stderr, "bench_direct: %s\n", err);
        fleetmod_stack_close(s);
        return 1;
    }
    int n = atoi(argv[3]), calls = atoi(argv[4]), failed = 0;
    pthread_t *t = calloc((size_t)n, sizeof *t);
    struct job *jobs = calloc((size_t)n, sizeof *jobs);
    if (!t || !jobs || n < 1 || calls < 1)
        return 1;
    double t0 = now();
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct job){g, calls, argv[5], 0};
        pthread_create(&t[i], NULL, run, &jobs[i]);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        failed += jobs[i].failed;
    }
    double dt = now() - t0;
    printf("direct %.1f commands/s (%d failed)\n", n * calls / dt, failed);
    fleetmod_guard_close(g);
    fleetmod_stack_close(s);
    free(t);
    free(jobs);
    return failed != 0;
}
