/*
 * bench_guard.c - what a guard costs per send, on SQLite and on
 * PostgreSQL, measured against the same stack unguarded in the same run.
 *
 *   bench_guard MOBWAY_SO MOBWAY_CONF SQLITE_POLICY PG_POLICY SENDS ROUNDS
 *
 * Each round sends SENDS single commands (location, alternating two VINs,
 * duplicates allowed) unguarded, through a guard journaling into SQLite,
 * and through one journaling into PostgreSQL, one after the other; the
 * median round of each mode gives its sends per second. Prints one line
 * per mode and the guarded/unguarded time ratios.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <fleetmod/host.h>

enum { UNGUARDED, SQLITE, POSTGRESQL, MODES };
static const char *const names[MODES] = {"unguarded", "guard+sqlite",
                                         "guard+postgresql"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const char *err)
{
    fprintf(stderr, "bench_guard: %s: %s\n", what, err);
    exit(2);
}

/* Seconds for n sends through g (NULL: the stack itself). */
static double run(struct fleetmod_stack *s, struct fleetmod_guard *g, int n)
{
    static const char *const vins[] = {"6AHFT68CKAF501652",
                                       "9BWZZZ377VT004251"};
    double t0 = now();
    for (int i = 0; i < n; i++) {
        struct fleetmod_request rq = {.vin = vins[i % 2],
                                      .command = "location"};
        struct fleetmod_buf req = {0}, reply = {0};
        fleetmod_request_pack(&rq, &req);
        fleetmod_rc rc = g ? fleetmod_guard_send(g, req.data, req.len,
                                                 fleetmod_buf_write, &reply)
                           : fleetmod_stack_send(s, req.data, req.len,
                                                 fleetmod_buf_write, &reply);
        fleetmod_buf_free(&req);
        fleetmod_buf_free(&reply);
        if (rc != FLEETMOD_OK)
            die(names[g ? 1 : 0], fleetmod_strerror(rc));
    }
    return now() - t0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    char err[FLEETMOD_ERR_MAX];
    struct fleetmod_stack *s;
    struct fleetmod_guard *g[MODES] = {0};
    if (argc != 7)
        return fprintf(stderr, "usage: see bench_guard.c\n"), 64;
    int n = atoi(argv[5]), rounds = atoi(argv[6]);
    if (n < 1 || rounds < 1 || rounds > 99)
        return 64;
    if (fleetmod_stack_open_module(argv[1], argv[2], NULL, &s, err, sizeof err))
        die("stack", err);
    for (int m = SQLITE; m < MODES; m++)
        if (fleetmod_guard_open(argv[m + 2], s, NULL, &g[m], err, sizeof err))
            die(names[m], err);
    double t[MODES][99];
    for (int r = 0; r < rounds; r++)
        for (int m = 0; m < MODES; m++)
            t[m][r] = run(s, g[m], n);
    double med[MODES];
    for (int m = 0; m < MODES; m++) {
        qsort(t[m], (size_t)rounds, sizeof t[m][0], cmp);
        med[m] = t[m][rounds / 2];
        printf(
            "%-17s %8.0f sends/s  %6.3f ms/send  (median of %d rounds of %d)\n",
            names[m], n / med[m], 1e3 * med[m] / n, rounds, n);
    }
    for (int m = SQLITE; m < MODES; m++)
        printf("%s / unguarded: %.2fx the time\n", names[m],
               med[m] / med[UNGUARDED]);
    for (int m = SQLITE; m < MODES; m++)
        fleetmod_guard_close(g[m]);
    fleetmod_stack_close(s);
    return 0;
}
