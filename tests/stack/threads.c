/*
 * threads.c - many threads sending through one stack (fleetmod/host.h,
 * "Stacks", and fleetmod/module.h on threads), with libfleetmod's stack API as
 * a C host uses it.
 *
 *   stack-threads STACK THREADS SENDS VIN=SECTION...
 *
 * Each thread sends SENDS "location" commands, cycling through the VINs,
 * and checks that every reply names the section the VIN belongs to and
 * echoes the thread's own request_id. Then it asks for the command's status
 * without naming a provider, so the stack must find the id by asking its
 * providers in order, and checks that the answer comes from the same
 * section. Prints "routed SECTION N" per section (what the caller compares
 * with the provider's own counters), then "ok" or the first errors; exits
 * non-zero on any error.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fleetmod/host.h>

#define MAX_ROUTES 16
#define MAX_THREADS 64
#define MAX_SHOWN 5

struct route {
    const char *vin;
    const char *section;
};

struct shared {
    struct fleetmod_stack *stack;
    const struct route *routes;
    size_t n_routes;
    unsigned sends;
};

/* One thread's work and results: nothing is shared while they run. */
struct worker {
    pthread_t tid;
    unsigned index;
    const struct shared *sh;
    unsigned routed[MAX_ROUTES];
    unsigned errors;
    char first_error[FLEETMOD_ERR_MAX];
};

__attribute__((format(printf, 2, 3))) static void error(struct worker *w,
                                                        const char *fmt, ...)
{
    va_list ap;

    if (w->errors++ > 0)
        return;
    va_start(ap, fmt);
    vsnprintf(w->first_error, sizeof w->first_error, fmt, ap);
    va_end(ap);
}

typedef fleetmod_rc (*stack_call_fn)(struct fleetmod_stack *, const char *,
                                     size_t, fleetmod_write_fn, void *);

/* One call; the decoded reply in *out (free it in every case). */
static fleetmod_rc call(struct fleetmod_stack *s, stack_call_fn fn,
                        const struct fleetmod_request *rq,
                        struct fleetmod_reply *out)
{
    struct fleetmod_buf req = {0}, reply = {0};
    fleetmod_rc rc = fleetmod_request_pack(rq, &req);

    memset(out, 0, sizeof *out);
    if (rc == FLEETMOD_OK)
        rc = fn(s, req.data, req.len, fleetmod_buf_write, &reply);
    if (fleetmod_reply_decode(reply.data, reply.len, out) != FLEETMOD_OK &&
        rc == FLEETMOD_OK)
        rc = FLEETMOD_EINTERNAL;
    fleetmod_buf_free(&req);
    fleetmod_buf_free(&reply);
    return rc;
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The status of id, asked without "provider", must come from section. */
static void check_status(struct worker *w, const char *id, const char *section)
{
    struct fleetmod_request rq = {.id = id};
    struct fleetmod_reply r;
    fleetmod_rc rc = call(w->sh->stack, fleetmod_stack_status, &rq, &r);

    if (rc != FLEETMOD_OK)
        error(w, "status %s: %s, provider %s", id, fleetmod_rc_name(rc),
              r.provider ? r.provider : "-");
    else if (!same(r.provider, section) || !same(r.id, id))
        error(w, "status %s: answered by %s for id %s, expected %s", id,
              r.provider ? r.provider : "-", r.id ? r.id : "-", section);
    fleetmod_reply_free(&r);
}

static void send_one(struct worker *w, unsigned i)
{
    size_t k = (w->index + i) % w->sh->n_routes;
    const struct route *rt = &w->sh->routes[k];
    char rid[64];
    snprintf(rid, sizeof rid, "t%u-%u", w->index, i);
    struct fleetmod_request rq = {
        .vin = rt->vin, .command = "location", .request_id = rid};
    struct fleetmod_reply r;
    fleetmod_rc rc = call(w->sh->stack, fleetmod_stack_send, &rq, &r);

    if (rc != FLEETMOD_OK)
        error(w, "send %s (%s): %s, provider %s", rt->vin, rid,
              fleetmod_rc_name(rc), r.provider ? r.provider : "-");
    else if (!same(r.provider, rt->section) || !same(r.request_id, rid) ||
             !r.id)
        error(w, "send %s (%s): provider %s, request_id %s, expected %s",
              rt->vin, rid, r.provider ? r.provider : "-",
              r.request_id ? r.request_id : "-", rt->section);
    else {
        w->routed[k]++;
        check_status(w, r.id, rt->section);
    }
    fleetmod_reply_free(&r);
}

static void *run(void *arg)
{
    struct worker *w = arg;

    for (unsigned i = 0; i < w->sh->sends; i++)
        send_one(w, i);
    return NULL;
}

static int parse_routes(int argc, char **argv, struct route *routes, size_t *n)
{
    *n = 0;
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq || *n == MAX_ROUTES)
            return -1;
        *eq = '\0';
        routes[(*n)++] = (struct route){argv[i], eq + 1};
    }
    return *n > 0 ? 0 : -1;
}

/* Totals per section, in the order sections first appear. */
static void print_routed(const struct shared *sh, const struct worker *ws,
                         unsigned n_threads)
{
    for (size_t k = 0; k < sh->n_routes; k++) {
        bool first = true;
        unsigned total = 0;
        for (size_t j = 0; j < k; j++)
            first &= strcmp(sh->routes[j].section, sh->routes[k].section) != 0;
        if (!first)
            continue;
        for (size_t j = k; j < sh->n_routes; j++) {
            if (strcmp(sh->routes[j].section, sh->routes[k].section) != 0)
                continue;
            for (unsigned t = 0; t < n_threads; t++)
                total += ws[t].routed[j];
        }
        printf("routed %s %u\n", sh->routes[k].section, total);
    }
}

static int report(const struct shared *sh, const struct worker *ws,
                  unsigned n_threads)
{
    unsigned errors = 0, shown = 0;

    print_routed(sh, ws, n_threads);
    for (unsigned t = 0; t < n_threads; t++) {
        errors += ws[t].errors;
        if (ws[t].errors > 0 && shown++ < MAX_SHOWN)
            fprintf(stderr, "thread %u: %u errors, first: %s\n", t,
                    ws[t].errors, ws[t].first_error);
    }
    if (errors > 0) {
        printf("%u errors\n", errors);
        return 1;
    }
    puts("ok");
    return 0;
}

int main(int argc, char **argv)
{
    struct route routes[MAX_ROUTES];
    struct worker ws[MAX_THREADS] = {0};
    struct shared sh = {.routes = routes};
    char err[FLEETMOD_ERR_MAX];
    unsigned n_threads = argc > 2 ? (unsigned)atoi(argv[2]) : 0;

    sh.sends = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
    if (argc < 5 || n_threads == 0 || n_threads > MAX_THREADS ||
        sh.sends == 0 ||
        parse_routes(argc - 4, argv + 4, routes, &sh.n_routes)) {
        fprintf(stderr, "usage: stack-threads STACK THREADS SENDS "
                        "VIN=SECTION...\n");
        return 64;
    }
    fleetmod_rc rc =
        fleetmod_stack_open(argv[1], NULL, &sh.stack, err, sizeof err);
    if (rc != FLEETMOD_OK) {
        fprintf(stderr, "stack-threads: %s: %s\n", fleetmod_rc_name(rc), err);
        return 2;
    }
    unsigned started = 0;
    for (; started < n_threads; started++) {
        ws[started] = (struct worker){.index = started, .sh = &sh};
        if (pthread_create(&ws[started].tid, NULL, run, &ws[started]) != 0)
            break;
    }
    for (unsigned t = 0; t < started; t++)
        pthread_join(ws[t].tid, NULL);
    fleetmod_stack_close(sh.stack);
    if (started < n_threads) {
        fprintf(stderr, "stack-threads: could start only %u threads\n",
                started);
        return 2;
    }
    return report(&sh, ws, n_threads);
}
