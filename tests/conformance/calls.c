/*
 * calls.c - checks that call the module's send, confirm and status.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance.h"

#define RANDOM_CASES 300
#define RANDOM_SEED 20240501u

/* What a call must answer: an rc, or either of two (a module that checks
 * id syntax may say EINVAL where another says ENOTFOUND). */
struct expect {
    fleetmod_rc rc, alt;
};

static const struct expect EXPECT_EINVAL = {FLEETMOD_EINVAL, FLEETMOD_EINVAL};
static const struct expect EXPECT_OK = {FLEETMOD_OK, FLEETMOD_OK};
static const struct expect EXPECT_NOTFOUND = {FLEETMOD_ENOTFOUND,
                                              FLEETMOD_EINVAL};

fleetmod_call_fn target_fn(const struct target *t, enum call call)
{
    return call == CALL_SEND      ? t->m->send
           : call == CALL_CONFIRM ? t->m->confirm
                                  : t->m->status;
}

fleetmod_rc call_capture(const struct target *t, enum call call,
                         const char *req, size_t len, msgpack_sbuffer *out)
{
    msgpack_sbuffer_clear(out);
    /* An empty request still gets a valid pointer: "any byte string". */
    return target_fn(t, call)(t->inst, req ? req : "", len,
                              msgpack_sbuffer_write, out);
}

/* One call judged: the rc expected and a valid reply. */
static bool judge(const struct target *t, enum call call, const struct req *r,
                  struct expect e, msgpack_sbuffer *out, char *why,
                  size_t whylen)
{
    fleetmod_rc rc = call_capture(t, call, r->buf.data, r->buf.size, out);
    char reply_why[WHY_SIZE / 2];

    if (rc != e.rc && rc != e.alt) {
        snprintf(why, whylen, "%.200s: rc %d, expected %d", r->desc, rc, e.rc);
        return false;
    }
    if (!reply_valid(t->m->name, rc, out->data, out->size, reply_why,
                     sizeof reply_why)) {
        snprintf(why, whylen, "%.200s: %s", r->desc, reply_why);
        return false;
    }
    return true;
}

/* Run cases; one TAP line per group of cases, naming the first that
 * failed. */
static void run_groups(const struct target *t, enum call call,
                       const struct req *cases, size_t n)
{
    msgpack_sbuffer out;
    char why[WHY_SIZE] = "";

    msgpack_sbuffer_init(&out);
    for (size_t i = 0; i < n; i++) {
        if (!why[0])
            judge(t, call, &cases[i], EXPECT_EINVAL, &out, why, sizeof why);
        if (i + 1 == n || strcmp(cases[i].group, cases[i + 1].group) != 0) {
            char desc[WHY_SIZE];
            snprintf(desc, sizeof desc, "%s -> EINVAL and a failed reply",
                     cases[i].group);
            tap(desc, why);
            why[0] = '\0';
        }
    }
    msgpack_sbuffer_destroy(&out);
}

void check_malformed(const struct target *t)
{
    for (int call = CALL_SEND; call <= CALL_STATUS; call++) {
        struct req *cases;
        size_t n = cases_malformed(call, t->vin, &cases);

        run_groups(t, call, cases, n);
        cases_free(cases, n);

        n = cases_random(RANDOM_SEED + (uint32_t)call, RANDOM_CASES, &cases);
        for (size_t i = 0; i < n; i++) {
            char *g = (char *)cases[i].group;
            char *named;
            if (asprintf(&named, "%s: %s", call_names[call], g) < 0)
                abort();
            cases[i].group = named;
            free(g);
        }
        run_groups(t, call, cases, n);
        cases_free(cases, n);
    }
}

void check_unknown_id(const struct target *t)
{
    const char *kv[] = {"id", UNKNOWN_ID};
    struct req r = {.desc = "status of " UNKNOWN_ID};
    msgpack_sbuffer out;
    char why[WHY_SIZE] = "";

    msgpack_sbuffer_init(&r.buf);
    msgpack_sbuffer_init(&out);
    req_pack(&r.buf, 1, kv);
    judge(t, CALL_STATUS, &r, EXPECT_NOTFOUND, &out, why, sizeof why);
    tap("status of an unknown id gets ENOTFOUND (or EINVAL)", why);
    msgpack_sbuffer_destroy(&r.buf);
    msgpack_sbuffer_destroy(&out);
}

/* A host whose every write fails. module.h: the module stops writing and
 * returns ENOMEM. */
static int failing_write(void *sink, const char *buf, size_t len)
{
    (void)buf;
    (void)len;
    ++*(int *)sink;
    return -1;
}

void check_write_failure(const struct target *t)
{
    for (int call = CALL_SEND; call <= CALL_STATUS; call++) {
        int writes = 0;
        char desc[128];
        fleetmod_rc rc =
            target_fn(t, call)(t->inst, "\xc0", 1, failing_write, &writes);

        snprintf(desc, sizeof desc,
                 "%s: a failing write callback gets ENOMEM, no more writes",
                 call_names[call]);
        if (rc != FLEETMOD_ENOMEM || writes != 1)
            tap_fail(desc, "rc %d after %d writes", rc, writes);
        else
            tap(desc, NULL);
    }
}

/* ---- threads ------------------------------------------------------------ */

struct work {
    enum call call;
    struct req r;
    struct expect e;
};

struct pool {
    const struct target *t;
    struct work *w;
    size_t n;
    int rounds;
    pthread_mutex_t lock;
    char why[WHY_SIZE]; /* the first failure, under lock */
};

struct worker {
    struct pool *p;
    size_t start;
};

static void *worker(void *arg)
{
    struct worker *me = arg;
    struct pool *p = me->p;
    msgpack_sbuffer out;
    char why[WHY_SIZE];

    msgpack_sbuffer_init(&out);
    for (int i = 0; i < p->rounds; i++) {
        const struct work *w = &p->w[(me->start + (size_t)i) % p->n];
        if (judge(p->t, w->call, &w->r, w->e, &out, why, sizeof why))
            continue;
        pthread_mutex_lock(&p->lock);
        if (!p->why[0])
            snprintf(p->why, sizeof p->why, "%s", why);
        pthread_mutex_unlock(&p->lock);
        break;
    }
    msgpack_sbuffer_destroy(&out);
    return NULL;
}

/* The mix: malformed requests of each call, an unknown id, and the real
 * command when one was given. */
static size_t mix(const struct target *t, struct work **out)
{
    struct req *cases[3];
    size_t n[3], total = 2;
    struct work *w;

    for (int c = 0; c < 3; c++)
        total += n[c] = cases_malformed(c, t->vin, &cases[c]);
    w = calloc(total, sizeof *w);
    if (!w)
        abort();
    total = 0;
    for (int c = 0; c < 3; c++) {
        for (size_t i = 0; i < n[c]; i++)
            w[total++] = (struct work){c, cases[c][i], EXPECT_EINVAL};
        free(cases[c]); /* the items now belong to w */
    }
    const char *unknown[] = {"id", UNKNOWN_ID};
    w[total] = (struct work){
        CALL_STATUS, {strdup("unknown id"), strdup(""), {0}}, EXPECT_NOTFOUND};
    req_pack(&w[total++].r.buf, 1, unknown);
    if (t->command) {
        const char *kv[] = {"vin", t->vin, "command", t->command};
        w[total] = (struct work){CALL_SEND,
                                 {strdup("the real command"), strdup(""), {0}},
                                 EXPECT_OK};
        req_pack(&w[total++].r.buf, 2, kv);
    }
    *out = w;
    return total;
}

void check_threads(const struct target *t, int threads, int rounds)
{
    struct pool p = {.t = t, .rounds = rounds};
    pthread_t tid[threads];
    struct worker me[threads];
    char desc[128];

    p.n = mix(t, &p.w);
    pthread_mutex_init(&p.lock, NULL);
    for (int i = 0; i < threads; i++) {
        me[i] = (struct worker){&p, (size_t)i * p.n / (size_t)threads};
        if (pthread_create(&tid[i], NULL, worker, &me[i]) != 0)
            abort();
    }
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    snprintf(desc, sizeof desc,
             "%d threads x %d calls on one instance: every reply valid",
             threads, rounds);
    tap(desc, p.why);
    pthread_mutex_destroy(&p.lock);
    for (size_t i = 0; i < p.n; i++) {
        free((char *)p.w[i].r.desc);
        free((char *)p.w[i].r.group);
        msgpack_sbuffer_destroy(&p.w[i].r.buf);
    }
    free(p.w);
}

/* ---- fork ---------------------------------------------------------------- */

/* In the child: the parent's instance must answer EINTERNAL. */
static int child(const struct target *t)
{
    const char *kv[] = {"id", UNKNOWN_ID};
    msgpack_sbuffer req, out;
    char why[WHY_SIZE];

    msgpack_sbuffer_init(&req);
    msgpack_sbuffer_init(&out);
    req_pack(&req, 1, kv);
    fleetmod_rc rc = call_capture(t, CALL_STATUS, req.data, req.size, &out);
    bool ok = rc == FLEETMOD_EINTERNAL &&
              reply_valid(t->m->name, rc, out.data, out.size, why, sizeof why);
    msgpack_sbuffer_destroy(&req);
    msgpack_sbuffer_destroy(&out);
    return ok ? 0 : 100 + (int)rc;
}

void check_fork(const struct target *t)
{
    const char *desc = "after fork the child's call on the parent's "
                       "instance gets EINTERNAL";
    int status;

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(child(t));
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        tap_fail(desc, "fork or waitpid failed");
    else if (WIFSIGNALED(status))
        tap_fail(desc, "the child died of signal %d", WTERMSIG(status));
    else if (WEXITSTATUS(status) >= 100)
        tap_fail(desc, "the child got rc %d or an invalid reply",
                 WEXITSTATUS(status) - 100);
    else if (WEXITSTATUS(status) != 0)
        tap_fail(desc, "the child exited %d", WEXITSTATUS(status));
    else
        tap(desc, NULL);
}

/* ---- the real command ------------------------------------------------------
 */

void check_probe(const struct target *t)
{
    const char *send_kv[] = {
        "vin",        t->vin,          "command",   t->command,
        "request_id", "conformance-1", "x_unknown", "ignored by modules"};
    struct req r = {.desc = "send of the real command"};
    msgpack_sbuffer out;
    char why[WHY_SIZE] = "", id[256], echo[64] = "";

    msgpack_sbuffer_init(&r.buf);
    msgpack_sbuffer_init(&out);
    req_pack(&r.buf, 4, send_kv);
    if (judge(t, CALL_SEND, &r, EXPECT_OK, &out, why, sizeof why) &&
        (!reply_str(out.data, out.size, "request_id", echo, sizeof echo) ||
         strcmp(echo, "conformance-1") != 0))
        snprintf(why, sizeof why, "request_id not echoed");
    tap("send of the given vin and command succeeds, request_id echoed, "
        "unknown keys ignored",
        why);

    if (!why[0] && reply_str(out.data, out.size, "id", id, sizeof id)) {
        const char *status_kv[] = {"id", id};
        msgpack_sbuffer_clear(&r.buf);
        r.desc = "status of the id send returned";
        req_pack(&r.buf, 1, status_kv);
        judge(t, CALL_STATUS, &r, EXPECT_OK, &out, why, sizeof why);
        tap("status of the id the send returned succeeds", why);
    }
    msgpack_sbuffer_destroy(&r.buf);
    msgpack_sbuffer_destroy(&out);
}
