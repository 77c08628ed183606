/*
 * stress.c - many threads through ONE instance of a module, for
 * ThreadSanitizer (make check-tsan builds it, the module and libfleetmod
 * with -fsanitize=thread).
 *
 *   stress MODULE SIM_URL THREADS CALLS_PER_THREAD
 *
 * MODULE is mobway.so, SIM_URL a running mobway-sim with the built-in
 * fixtures (short tokens make renewals race with calls: --token-ttl 1).
 * Each thread cycles through the calls of fleetmod/module.h: send of location
 * and lock_door, status with and without wait_ms, the confirmation flow
 * of disable_ignition, a batch send (vins) with one vehicle that lacks the
 * command, a batch status (ids). Every call's rc must be the expected one
 * and every reply must decode (fleetmod_reply_decode) with the expected
 * status. Prints the first failures, then "N passed, N failed" (one per
 * call).
 */
#include <fleetmod/host.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define VIN_ALL "6AHFT68CKAF501652"   /* all six commands */
#define VIN_DOORS "9BWZZZ377VT004251" /* location and the doors */
#define VIN_DIAG "1HGCM82633A004352"  /* diagnostics only */
#define MAX_SHOWN 20

static struct fleetmod_handle *handle;
static atomic_long passed, failed;

/* Module log lines arrive from every thread: only errors are shown. */
static void host_log(void *user, int level, const char *msg)
{
    (void)user;
    if (level <= LOG_ERR)
        fprintf(stderr, "log: %s\n", msg);
}

static const struct fleetmod_host host = {sizeof host, NULL, host_log};

static void fail(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(const char *what, const char *fmt, ...)
{
    va_list ap;

    if (atomic_fetch_add(&failed, 1) >= MAX_SHOWN)
        return;
    flockfile(stdout);
    printf("not ok - %s: ", what);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    funlockfile(stdout);
}

typedef fleetmod_rc (*call_fn)(struct fleetmod_handle *, const char *, size_t,
                               fleetmod_write_fn, void *);

/* Whether status is one of the '|'-separated words of want. */
static bool status_is(const char *status, const char *want)
{
    size_t n = strlen(status);

    for (const char *p = want; p; p = strchr(p, '|'), p = p ? p + 1 : NULL)
        if (strncmp(p, status, n) == 0 && (p[n] == '|' || p[n] == '\0'))
            return true;
    return false;
}

/* Counts a call that met every check. */
static void tally(bool ok)
{
    if (ok)
        atomic_fetch_add(&passed, 1);
}

/* One call: req packed, the reply decoded into *out (freed by the caller
 * with fleetmod_reply_free). Returns whether the rc is want and the reply
 * decodes with a status among want_status; reports it otherwise. */
static bool call(const char *what, call_fn fn,
                 const struct fleetmod_request *req, fleetmod_rc want,
                 const char *want_status, struct fleetmod_reply *out)
{
    struct fleetmod_buf in = {0}, reply = {0};
    fleetmod_rc rc, drc;
    bool ok = false;

    memset(out, 0, sizeof *out);
    if (fleetmod_request_pack(req, &in) != FLEETMOD_OK) {
        fail(what, "cannot pack the request");
        return false;
    }
    rc = fn(handle, in.data, in.len, fleetmod_buf_write, &reply);
    drc = fleetmod_reply_decode(reply.data, reply.len, out);
    if (drc != FLEETMOD_OK)
        fail(what, "the reply does not decode (%s)", fleetmod_rc_name(drc));
    else if (rc != want)
        fail(what, "rc %s, expected %s: %s", fleetmod_rc_name(rc),
             fleetmod_rc_name(want),
             out->has_error ? out->error.message : "(no error map)");
    else if (!status_is(out->status, want_status))
        fail(what, "status %s, expected %s", out->status, want_status);
    else if (strcmp(out->provider, "mobway") != 0)
        fail(what, "provider %s", out->provider);
    else
        ok = true;
    fleetmod_buf_free(&in);
    fleetmod_buf_free(&reply);
    return ok;
}

/* Per thread: the last command id seen, for the status calls. */
struct worker {
    long calls;
    char ids[3][64];
};

static void keep_id(struct worker *w, int slot, const struct fleetmod_reply *r)
{
    if (r->id)
        snprintf(w->ids[slot], sizeof w->ids[slot], "%s", r->id);
}

static void send_one(struct worker *w, const char *vin, const char *command)
{
    struct fleetmod_request req = {.vin = vin, .command = command};
    struct fleetmod_reply r;

    bool ok = call("send", fleetmod_send, &req, FLEETMOD_OK, "pending", &r);

    if (ok)
        keep_id(w, 0, &r);
    tally(ok);
    fleetmod_reply_free(&r);
}

/* The command may have completed or not yet: both are right answers. */
static void status_one(struct worker *w, uint64_t wait_ms)
{
    struct fleetmod_request req = {.id = w->ids[0], .wait_ms = wait_ms};
    struct fleetmod_reply r;

    if (!w->ids[0][0])
        return send_one(w, VIN_ALL, "location");
    tally(call("status", fleetmod_status, &req, FLEETMOD_OK, "pending|success",
               &r));
    fleetmod_reply_free(&r);
}

static void confirm_flow(struct worker *w)
{
    struct fleetmod_request req = {.vin = VIN_ALL,
                                   .command = "disable_ignition"};
    struct fleetmod_reply r, c;
    char code[16];

    bool ok = call("send disable_ignition", fleetmod_send, &req, FLEETMOD_OK,
                   "confirmation", &r);

    if (ok && !r.code)
        fail("send disable_ignition", "a confirmation without a code");
    tally(ok && r.code);
    if (!ok || !r.code) {
        fleetmod_reply_free(&r);
        return;
    }
    snprintf(code, sizeof code, "%s", r.code);
    fleetmod_reply_free(&r);
    req.code = code;
    ok = call("confirm", fleetmod_confirm, &req, FLEETMOD_OK, "pending", &c);
    if (ok)
        keep_id(w, 0, &c);
    tally(ok);
    fleetmod_reply_free(&c);
}

static void batch_send(struct worker *w)
{
    static const char *const vins[] = {VIN_ALL, VIN_DOORS, VIN_DIAG};
    struct fleetmod_request req = {
        .vins = vins, .n_vins = 3, .command = "location"};
    struct fleetmod_reply r;

    bool ok = call("batch send", fleetmod_send, &req, FLEETMOD_OK, "batch", &r);

    if (ok &&
        (r.n_results != 3 || strcmp(r.results[0].status, "pending") ||
         strcmp(r.results[1].status, "pending") || !r.results[2].has_error ||
         r.results[2].error.code != FLEETMOD_EDENIED)) {
        fail("batch send", "results are not pending, pending, EDENIED");
        ok = false;
    }
    if (ok) {
        keep_id(w, 1, &r.results[0]);
        keep_id(w, 2, &r.results[1]);
    }
    tally(ok);
    fleetmod_reply_free(&r);
}

static void batch_status(struct worker *w, uint64_t wait_ms)
{
    const char *ids[] = {w->ids[1], w->ids[2]};
    struct fleetmod_request req = {.ids = ids, .n_ids = 2, .wait_ms = wait_ms};
    struct fleetmod_reply r;

    if (!w->ids[1][0] || !w->ids[2][0])
        return batch_send(w);
    bool ok =
        call("batch status", fleetmod_status, &req, FLEETMOD_OK, "batch", &r);

    for (size_t i = 0; ok && i < 2; i++)
        if (r.n_results != 2 ||
            !status_is(r.results[i].status, "pending|success")) {
            fail("batch status", "item %zu: %s", i,
                 r.n_results != 2         ? "not 2 results"
                 : r.results[i].has_error ? r.results[i].error.message
                                          : r.results[i].status);
            ok = false;
        }
    tally(ok);
    fleetmod_reply_free(&r);
}

/* One step of the cycle; i picks it. */
static void step(struct worker *w, long i)
{
    switch (i % 8) {
    case 0:
        return send_one(w, VIN_ALL, "location");
    case 1:
        return send_one(w, VIN_DOORS, "lock_door");
    case 2:
        return status_one(w, 0);
    case 3:
        return status_one(w, 200);
    case 4:
        return confirm_flow(w);
    case 5:
        return batch_send(w);
    case 6:
        return batch_status(w, 0);
    default:
        return batch_status(w, 200);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    for (long i = 0; i < w->calls; i++)
        step(w, i);
    return NULL;
}

/* A private file holding text. */
static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f) | chmod(path, 0600);
}

/* The instance's config in dir: the built-in fixtures' demo account, fast
 * polling, a pool as wide as the threads. */
static int write_config(const char *dir, const char *url, int threads,
                        char *path, size_t size)
{
    char cs[512], ss[512], text[2048];

    snprintf(cs, sizeof cs, "%s/client_secret", dir);
    snprintf(ss, sizeof ss, "%s/sign_secret", dir);
    snprintf(path, size, "%s/mobway.conf", dir);
    snprintf(text, sizeof text,
             "[mobway]\nbase_url = %s\nallow_http = true\n"
             "client_id = demo-client\nclient_secret_file = %s\n"
             "sign_secret_file = %s\nmax_connections = %d\n"
             "timeout_ms = 10000\npoll_initial_ms = 20\npoll_max_ms = 100\n",
             url, cs, ss, threads);
    return write_file(cs, "demo-secret\n") |
           write_file(ss, "demo-sign-secret\n") | write_file(path, text);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int run(const char *module, const char *config, int threads, long calls)
{
    pthread_t tid[64];
    struct worker *w = calloc((size_t)threads, sizeof *w);
    char err[FLEETMOD_ERR_MAX];
    struct timespec t0;
    fleetmod_rc rc =
        fleetmod_open(module, config, &host, &handle, err, sizeof err);

    if (rc != FLEETMOD_OK || !w) {
        printf("not ok - open %s: %s\n", module, rc ? err : "out of memory");
        free(w);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < threads; i++) {
        w[i].calls = calls;
        pthread_create(&tid[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    printf("# %d threads x %ld steps in %.1f s\n", threads, calls,
           seconds_since(&t0));
    fleetmod_close(handle);
    free(w);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/fleetmod-stress.XXXXXX", config[600];
    int threads = argc == 5 ? atoi(argv[3]) : 0;
    long calls = argc == 5 ? atol(argv[4]) : 0;
    int bad;

    if (threads < 1 || threads > 64 || calls < 1) {
        fprintf(stderr, "usage: stress MODULE SIM_URL THREADS(1-64) "
                        "CALLS_PER_THREAD\n");
        return 64;
    }
    if (!mkdtemp(dir) ||
        write_config(dir, argv[2], threads, config, sizeof config) != 0) {
        perror("stress: temp config");
        return 1;
    }
    bad = run(argv[1], config, threads, calls);
    printf("%ld passed, %ld failed\n", atomic_load(&passed),
           atomic_load(&failed) + bad);
    unlink(config);
    snprintf(config, sizeof config, "%s/client_secret", dir);
    unlink(config);
    snprintf(config, sizeof config, "%s/sign_secret", dir);
    unlink(config);
    rmdir(dir);
    return atomic_load(&failed) + bad ? 1 : 0;
}
