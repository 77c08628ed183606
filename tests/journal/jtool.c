/*
 * jtool.c - a small C host of libfleetmod's guard and journal API
 * (fleetmod/guard.h), driven by test_journal.py. Every call goes through
 * a real guard in front of a real module (dlopen) and a real SQLite file.
 *
 *   jtool POLICY MODULE MODCONF send VIN COMMAND [KEY=VALUE...]
 *   jtool POLICY MODULE MODCONF confirm VIN COMMAND CODE [KEY=VALUE...]
 *   jtool POLICY MODULE MODCONF status ID [KEY=VALUE...]
 *   jtool POLICY MODULE MODCONF batch COMMAND VIN... [KEY=VALUE...]
 *   jtool POLICY MODULE MODCONF statuses ID... [KEY=VALUE...]
 *   jtool POLICY MODULE MODCONF repeat N VIN COMMAND [KEY=VALUE...]
 *   jtool POLICY MODULE MODCONF threads THREADS CALLS VIN...
 *   jtool POLICY MODULE MODCONF sends THREADS CALLS VIN...
 *   jtool POLICY MODULE MODCONF reconcile MAX_CALL_S [WAIT_MS]
 *   jtool POLICY MODULE MODCONF serve
 *   jtool POLICY MODULE MODCONF fork VIN COMMAND VIN2
 *   jtool POLICY - - verify | list [VIN] | show ID | stats | prune
 *   jtool none MODULE MODCONF ...   the same calls with no guard
 *
 * KEY=VALUE adds a request key: a value of digits (or -digits) is an
 * integer, anything else a string. send/confirm/status print the reply
 * as one JSON line and "rc N" after it; repeat prints "rc N COUNT" per rc,
 * "reason WORD COUNT" per error.reason and "duplicate COUNT"; threads
 * prints "ok" or the errors; sends is threads with plain sends only, each
 * one that is not FLEETMOD_OK an error (for timing). serve reads
 * send/confirm/status/batch lines (the arguments above, blank-separated) from
 * stdin and answers each, so that one guard (and its in-process breaker and
 * bucket) lives across calls the test spaces out. fork: a child sends VIN
 * COMMAND through its parent's guard ("child-parent rc N"), then through a
 * guard of its own
 * ("child-own rc N"); then the parent sends VIN2 COMMAND through its guard
 * ("parent rc N").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>

#include <fleetmod/host.h>

static char err[FLEETMOD_ERR_MAX];

/* The guard's log lines, on stderr: "log LEVEL line". */
static void log_line(void *user, int level, const char *msg)
{
    (void)user;
    fprintf(stderr, "log %d %s\n", level, msg);
}

static const struct fleetmod_host host = {.struct_size = sizeof host,
                                          .log = log_line};

static int die(const char *what, fleetmod_rc rc)
{
    fprintf(stderr, "jtool: %s: %s: %s\n", what, fleetmod_rc_name(rc), err);
    return 2;
}

static void pack_str(msgpack_packer *pk, const char *s)
{
    if (!s) {
        msgpack_pack_nil(pk);
        return;
    }
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

static void pack_value(msgpack_packer *pk, const char *v)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*v && !*end)
        msgpack_pack_int64(pk, n);
    else
        pack_str(pk, v);
}

/* A request map of fixed keys (NULL-terminated pairs) plus KEY=VALUE
 * arguments. */
static void request(msgpack_sbuffer *sb, const char *const *fixed, int argc,
                    char **argv)
{
    msgpack_packer pk;
    size_t n = 0;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    while (fixed[2 * n])
        n++;
    msgpack_pack_map(&pk, n + (size_t)argc);
    for (size_t i = 0; i < n; i++) {
        pack_str(&pk, fixed[2 * i]);
        pack_str(&pk, fixed[2 * i + 1]);
    }
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        *eq = '\0';
        pack_str(&pk, argv[i]);
        pack_value(&pk, eq + 1);
        *eq = '=';
    }
}

/* A batch request: key = value when key is not NULL, list = the
 * arguments without '=', and the KEY=VALUE arguments. */
static void list_request(msgpack_sbuffer *sb, const char *key,
                         const char *value, const char *list, int argc,
                         char **argv)
{
    msgpack_packer pk;
    int nv = 0, nk = 0;
    for (int i = 0; i < argc; i++)
        strchr(argv[i], '=') ? nk++ : nv++;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1 + (size_t) !!key + (size_t)nk);
    if (key) {
        pack_str(&pk, key);
        pack_str(&pk, value);
    }
    pack_str(&pk, list);
    msgpack_pack_array(&pk, (size_t)nv);
    for (int i = 0; i < argc; i++) {
        if (!strchr(argv[i], '='))
            pack_str(&pk, argv[i]);
    }
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        pack_str(&pk, argv[i]);
        pack_value(&pk, eq + 1);
        *eq = '=';
    }
}

typedef fleetmod_rc (*guard_fn)(struct fleetmod_guard *, const char *, size_t,
                                fleetmod_write_fn, void *);

/* POLICY "none": the same calls straight to the stack, no guard: what a
 * guard's cost is measured against. */
static struct fleetmod_stack *bare;

/* POLICY, MODULE and MODCONF, for fork's child. */
static const char *fork_args[3];

static fleetmod_rc call(struct fleetmod_guard *g, guard_fn fn,
                        msgpack_sbuffer *sb, struct fleetmod_buf *out)
{
    fleetmod_rc rc;
    if (bare)
        rc = (fn == fleetmod_guard_send      ? fleetmod_stack_send
              : fn == fleetmod_guard_confirm ? fleetmod_stack_confirm
                                             : fleetmod_stack_status)(
            bare, sb->data, sb->size, fleetmod_buf_write, out);
    else
        rc = fn(g, sb->data, sb->size, fleetmod_buf_write, out);
    msgpack_sbuffer_destroy(sb);
    return rc;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The reply on stdout; the call's duration on stderr, for comparisons. */
static int print_call(struct fleetmod_guard *g, guard_fn fn,
                      msgpack_sbuffer *sb)
{
    struct fleetmod_buf out = {0};
    int64_t t0 = now_ms();
    fleetmod_rc rc = call(g, fn, sb, &out);
    fprintf(stderr, "elapsed_ms %lld\n", (long long)(now_ms() - t0));
    char *json = fleetmod_msg_to_json(out.data, out.len);
    printf("%s\nrc %d\n", json ? json : "(not one msgpack object)", rc);
    free(json);
    fleetmod_buf_free(&out);
    return 0;
}

/* N sends of one VIN and command in a row, counted by rc. */
static int repeat(struct fleetmod_guard *g, int n, int argc, char **argv)
{
    unsigned counts[64] = {0}, dup = 0, nreasons = 0;
    char reasons[8][32] = {{0}};
    unsigned rcounts[8] = {0};
    const char *fixed[] = {"vin", argv[0], "command", argv[1], NULL};
    for (int i = 0; i < n; i++) {
        msgpack_sbuffer sb;
        struct fleetmod_buf out = {0};
        request(&sb, fixed, argc - 2, argv + 2);
        fleetmod_rc rc = call(g, fleetmod_guard_send, &sb, &out);
        counts[(unsigned)rc < 64 ? rc : 63]++;
        char *json = fleetmod_msg_to_json(out.data, out.len);
        const char *why = json ? strstr(json, "\"reason\":\"") : NULL;
        if (json && strstr(json, "\"duplicate\":true"))
            dup++;
        if (why) {
            char word[32];
            sscanf(why + 10, "%31[a-z_0-9]", word);
            unsigned k = 0;
            while (k < nreasons && strcmp(reasons[k], word))
                k++;
            if (k == nreasons && nreasons < 8)
                snprintf(reasons[nreasons++], 32, "%s", word);
            if (k < 8)
                rcounts[k]++;
        }
        free(json);
        fleetmod_buf_free(&out);
    }
    for (int rc = 0; rc < 64; rc++) {
        if (counts[rc])
            printf("rc %d %u\n", rc, counts[rc]);
    }
    for (unsigned k = 0; k < nreasons; k++)
        printf("reason %s %u\n", reasons[k], rcounts[k]);
    printf("duplicate %u\n", dup);
    return 0;
}

/* ---- threads: mixed commands, duplicates and refusals at once ---------*/

struct worker {
    pthread_t tid;
    struct fleetmod_guard *g;
    int index, calls, nvins;
    char **vins;
    bool plain; /* only sends, no refusals, no status: for timing */
    unsigned bad;
};

static void *run(void *arg)
{
    struct worker *w = arg;
    static const char *const cmds[] = {"location", "lock_door", "unlock_door",
                                       "diagnostics"};
    for (int i = 0; i < w->calls; i++) {
        const char *vin = w->vins[(w->index + i) % w->nvins];
        const char *cmd = cmds[(w->index * 7 + i) % 4];
        char dl[32];
        /* every fifth call is already past its deadline: refused */
        snprintf(dl, sizeof dl, "deadline=%d", i % 5 ? 2000000000 : 1);
        char *extra[] = {dl};
        const char *fixed[] = {"vin", vin, "command", cmd, NULL};
        msgpack_sbuffer sb;
        struct fleetmod_buf out = {0};
        struct fleetmod_reply r;
        if (w->plain) {
            request(&sb, fixed, 0, NULL);
            w->bad += call(w->g, fleetmod_guard_send, &sb, &out) != FLEETMOD_OK;
            fleetmod_buf_free(&out);
            continue;
        }
        request(&sb, fixed, 1, extra);
        fleetmod_rc rc = call(w->g, fleetmod_guard_send, &sb, &out);
        bool ok = fleetmod_reply_decode(out.data, out.len, &r) == FLEETMOD_OK;
        /* The only outcomes allowed: done, refused by a guard (deadline,
         * duplicate) or by the provider's own rules. */
        if (!ok ||
            (rc != FLEETMOD_OK && rc != FLEETMOD_EREFUSED &&
             rc != FLEETMOD_EDENIED) ||
            (i % 5 == 0 && rc != FLEETMOD_EREFUSED))
            w->bad++;
        if (ok && rc == FLEETMOD_OK && r.id && i % 3 == 0) {
            const char *sf[] = {"id", r.id, NULL};
            struct fleetmod_buf so = {0};
            request(&sb, sf, 0, NULL);
            fleetmod_rc src = call(w->g, fleetmod_guard_status, &sb, &so);
            w->bad += src != FLEETMOD_OK;
            fleetmod_buf_free(&so);
        }
        fleetmod_reply_free(&r);
        fleetmod_buf_free(&out);
    }
    return NULL;
}

static int threads(struct fleetmod_guard *g, int n, int calls, int nvins,
                   char **vins, bool plain)
{
    struct worker ws[64];
    unsigned bad = 0;
    if (n < 1 || n > 64)
        return 64;
    int64_t t0 = now_ms();
    for (int t = 0; t < n; t++) {
        ws[t] = (struct worker){.g = g,
                                .index = t,
                                .calls = calls,
                                .nvins = nvins,
                                .vins = vins,
                                .plain = plain};
        pthread_create(&ws[t].tid, NULL, run, &ws[t]);
    }
    for (int t = 0; t < n; t++) {
        pthread_join(ws[t].tid, NULL);
        bad += ws[t].bad;
    }
    fprintf(stderr, "elapsed_ms %lld\n", (long long)(now_ms() - t0));
    printf(bad ? "%u bad\n" : "ok\n", bad);
    return bad != 0;
}

/* ---- reading -----------------------------------------------------------*/

static int print_row(void *user, const struct fleetmod_journal_row *r)
{
    (void)user;
    printf("row %s %s %s %s state=%s rc=%d late=%d requester=%s reason=%s "
           "provider_id=%s deadline=%lld\n",
           r->journal_id, r->provider ? r->provider : "-", r->vin, r->command,
           r->state, r->rc, r->late, r->requester ? r->requester : "-",
           r->reason ? r->reason : "-", r->provider_id ? r->provider_id : "-",
           (long long)r->deadline);
    return 0;
}

static int print_event(void *user, const struct fleetmod_journal_event *e)
{
    (void)user;
    printf("event %lld %s state=%s note=%s\n", (long long)e->seq, e->kind,
           e->state ? e->state : "-", e->note ? e->note : "-");
    return 0;
}

static int print_stat(void *user, const struct fleetmod_journal_stat *s)
{
    (void)user;
    printf("stat %s %s total=%lld unresolved=%lld", s->provider, s->command,
           (long long)s->total, (long long)s->unresolved);
    for (int i = 0; i < FLEETMOD_JOURNAL_STATES; i++) {
        if (s->by_state[i])
            printf(" %s=%lld", fleetmod_journal_state_name(i),
                   (long long)s->by_state[i]);
    }
    printf(" call_p50=%lld call_p95=%lld exec_p50=%lld exec_p95=%lld "
           "quota=%lld used=%lld\n",
           (long long)s->call_p50_ms, (long long)s->call_p95_ms,
           (long long)s->executed_p50_s, (long long)s->executed_p95_s,
           (long long)s->quota, (long long)s->quota_used);
    return 0;
}

static int reader(const char *policy, int argc, char **argv)
{
    struct fleetmod_journal *j;
    fleetmod_rc rc = fleetmod_journal_open(policy, NULL, &j, err, sizeof err);
    if (rc != FLEETMOD_OK)
        return die("journal_open", rc);
    const char *what = argv[0];
    if (!strcmp(what, "verify")) {
        struct fleetmod_journal_verdict v = {.struct_size = sizeof v};
        rc = fleetmod_journal_verify(j, &v, err, sizeof err);
        if (rc == FLEETMOD_OK && v.intact)
            printf("intact events=%llu chains=%llu\n",
                   (unsigned long long)v.events, (unsigned long long)v.chains);
        else if (rc == FLEETMOD_OK)
            printf("broken seq=%lld host=%s journal=%s why=%s\n",
                   (long long)v.bad_seq, v.bad_host, v.bad_journal_id, v.why);
    } else if (!strcmp(what, "list")) {
        struct fleetmod_journal_filter f = {.struct_size = sizeof f,
                                            .vin = argc > 1 ? argv[1] : NULL};
        rc = fleetmod_journal_list(j, &f, print_row, NULL, err, sizeof err);
    } else if (!strcmp(what, "unresolved")) {
        struct fleetmod_journal_filter f = {.struct_size = sizeof f,
                                            .unresolved = true};
        rc = fleetmod_journal_list(j, &f, print_row, NULL, err, sizeof err);
    } else if (!strcmp(what, "show") && argc > 1) {
        rc = fleetmod_journal_show(j, argv[1], print_row, print_event, NULL,
                                   err, sizeof err);
    } else if (!strcmp(what, "stats")) {
        rc = fleetmod_journal_stats(j, 0, print_stat, NULL, err, sizeof err);
    } else if (!strcmp(what, "prune")) {
        int64_t n = 0;
        rc = fleetmod_journal_prune(j, &n, err, sizeof err);
        printf("pruned %lld\n", (long long)n);
    } else {
        rc = FLEETMOD_EINVAL;
    }
    fleetmod_journal_close(j);
    return rc == FLEETMOD_OK ? 0 : die(what, rc);
}

static int guarded(struct fleetmod_guard *g, int argc, char **argv);

static fleetmod_rc send_one(struct fleetmod_guard *g, const char *vin,
                            const char *cmd)
{
    const char *f[] = {"vin", vin, "command", cmd, NULL};
    msgpack_sbuffer sb;
    struct fleetmod_buf out = {0};
    request(&sb, f, 0, NULL);
    fleetmod_rc rc = call(g, fleetmod_guard_send, &sb, &out);
    fleetmod_buf_free(&out);
    return rc;
}

/* After fork: the parent's guard answers the child EINTERNAL and sends
 * nothing; the child's own guard (and stack) works; so does the
 * parent's, after. */
static int forked(struct fleetmod_guard *g, char **argv, const char *policy,
                  const char *module, const char *conf)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct fleetmod_stack *s;
        struct fleetmod_guard *own;
        printf("child-parent rc %d\n", send_one(g, argv[1], argv[2]));
        if (fleetmod_stack_open_module(module, conf, NULL, &s, err,
                                       sizeof err) ||
            fleetmod_guard_open(policy, s, NULL, &own, err, sizeof err))
            _exit(2);
        printf("child-own rc %d\n", send_one(own, argv[1], argv[2]));
        fleetmod_guard_close(own);
        fleetmod_stack_close(s);
        fflush(stdout);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("parent rc %d\n", send_one(g, argv[3], argv[2]));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* One line at a time from stdin, each answered before the next is read. */
static int serve(struct fleetmod_guard *g)
{
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        char *argv[64], *save = NULL;
        int argc = 0;
        for (char *w = strtok_r(line, " \t\n", &save); w && argc < 64;
             w = strtok_r(NULL, " \t\n", &save))
            argv[argc++] = w;
        if (argc && guarded(g, argc, argv))
            printf("bad line\n");
        fflush(stdout);
    }
    return 0;
}

static int guarded(struct fleetmod_guard *g, int argc, char **argv)
{
    msgpack_sbuffer sb;
    const char *what = argv[0];
    if (!strcmp(what, "send") && argc >= 3) {
        const char *f[] = {"vin", argv[1], "command", argv[2], NULL};
        request(&sb, f, argc - 3, argv + 3);
        return print_call(g, fleetmod_guard_send, &sb);
    }
    if (!strcmp(what, "confirm") && argc >= 4) {
        const char *f[] = {"vin",  argv[1], "command", argv[2],
                           "code", argv[3], NULL};
        request(&sb, f, argc - 4, argv + 4);
        return print_call(g, fleetmod_guard_confirm, &sb);
    }
    if (!strcmp(what, "status") && argc >= 2) {
        const char *f[] = {"id", argv[1], NULL};
        request(&sb, f, argc - 2, argv + 2);
        return print_call(g, fleetmod_guard_status, &sb);
    }
    if (!strcmp(what, "batch") && argc >= 3) {
        list_request(&sb, "command", argv[1], "vins", argc - 2, argv + 2);
        return print_call(g, fleetmod_guard_send, &sb);
    }
    if (!strcmp(what, "statuses") && argc >= 2) {
        list_request(&sb, NULL, NULL, "ids", argc - 1, argv + 1);
        return print_call(g, fleetmod_guard_status, &sb);
    }
    if (!strcmp(what, "serve"))
        return serve(g);
    if (!strcmp(what, "fork") && argc >= 4)
        return forked(g, argv, fork_args[0], fork_args[1], fork_args[2]);
    if (!strcmp(what, "repeat") && argc >= 4)
        return repeat(g, atoi(argv[1]), argc - 2, argv + 2);
    if (!strcmp(what, "threads") && argc >= 4)
        return threads(g, atoi(argv[1]), atoi(argv[2]), argc - 3, argv + 3,
                       false);
    if (!strcmp(what, "sends") && argc >= 4)
        return threads(g, atoi(argv[1]), atoi(argv[2]), argc - 3, argv + 3,
                       true);
    if (!strcmp(what, "reconcile") && argc >= 2) {
        struct fleetmod_reconcile_result r = {.struct_size = sizeof r};
        uint64_t wait_ms = argc > 2 ? (uint64_t)atoll(argv[2]) : 0;
        fleetmod_rc rc = fleetmod_guard_reconcile(g, wait_ms, atoi(argv[1]), &r,
                                                  err, sizeof err);
        printf("asked=%zu resolved=%zu unknown=%zu failed=%zu\n", r.asked,
               r.resolved, r.unknown, r.failed);
        return rc == FLEETMOD_OK ? 0 : die("reconcile", rc);
    }
    fprintf(stderr, "jtool: bad arguments\n");
    return 64;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: see tests/journal/jtool.c\n");
        return 64;
    }
    if (!strcmp(argv[2], "-"))
        return reader(argv[1], argc - 4, argv + 4);
    struct fleetmod_stack *s;
    struct fleetmod_guard *g;
    fork_args[0] = argv[1];
    fork_args[1] = argv[2];
    fork_args[2] = argv[3];
    fleetmod_rc rc =
        fleetmod_stack_open_module(argv[2], argv[3], NULL, &s, err, sizeof err);
    if (rc != FLEETMOD_OK)
        return die("stack_open_module", rc);
    if (!strcmp(argv[1], "none")) {
        bare = s;
        int status = guarded(NULL, argc - 4, argv + 4);
        fleetmod_stack_close(s);
        return status;
    }
    rc = fleetmod_guard_open(argv[1], s, &host, &g, err, sizeof err);
    if (rc != FLEETMOD_OK) {
        fleetmod_stack_close(s);
        return die("guard_open", rc);
    }
    int status = guarded(g, argc - 4, argv + 4);
    fleetmod_guard_close(g);
    fleetmod_stack_close(s);
    return status;
}
