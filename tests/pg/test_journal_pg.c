/*
 * test_journal_pg.c - journal_pg.so through backend.h, against a real
 * PostgreSQL (tests/pg/run.sh starts a throwaway cluster) and, for the
 * races, the real mobway.so against a real mobway-sim.
 *
 *   test_journal_pg SO URL store
 *       every write and read of backend.h on one connection
 *   test_journal_pg SO URL race HOST_ID THREADS N VIN COMMAND MOBWAY_SO CONF GO
 *       N sends of one VIN and command from THREADS connections, each
 *       journaled with duplicate = reject before it goes to mobway.so, as
 *       the guard does; starts when the file GO exists (having made GO.HOST_ID
 * when ready); prints "sent S" test_journal_pg SO URL quota HOST_ID PREFIX N K
 * QUOTA GO for each of N providers in turn, K commands under a quota of QUOTA,
 * starting when the file GO exists; prints "accepted A" test_journal_pg SO URL
 * outage MOBWAY_SO CONF VIN one connection; each line of stdin is a command to
 * send as in race: prints "sent", "duplicate" or "refused: <reason>" per line
 *   test_journal_pg SO URL idem-race HOST_ID N GO
 *       claims N idempotency keys from the moment GO exists; prints
 *       "new K", how many it got first
 *   test_journal_pg SO URL verify
 *       every chain of the journal reads back intact; prints the count
 *   test_journal_pg SO URL refused-open TEXT [SECRET]
 *       open must fail with TEXT in its error (and never SECRET)
 *
 * Every check prints "ok - rule" or "not ok - rule"; the exit status is 1
 * when any failed, 2 for a setup error.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fleetmod/host.h>
#include <fleetmod/service.h>

#include "chain.h"

static const struct fm_journal_backend *be;
static const struct fm_journal_services svc = {sizeof svc, chain_hash};
static const char *url;
static int failed;

static void check(int ok, const char *rule)
{
    printf("%s - %s\n", ok ? "ok" : "not ok", rule);
    failed |= !ok;
}

static struct fm_jdb *open_or_die(const char *host_id)
{
    char err[512];
    struct fm_jdb *db;
    if (be->open(url, host_id, &svc, &db, err, sizeof err)) {
        fprintf(stderr, "open: %s\n", err);
        exit(2);
    }
    return db;
}

static struct fm_jintent intent(const char *id, const char *vin,
                                const char *command, enum fm_jdup dup)
{
    struct fm_jintent it = {.dup = dup, .dup_window = 120, .quota = -1};
    it.ev = (struct fm_jevent){.journal_id = id,
                               .at = (int64_t)time(NULL),
                               .kind = "intent",
                               .state = FM_J_SENDING,
                               .provider = "mobway",
                               .vin = vin,
                               .command = command,
                               .requester = "alice",
                               .rc = -1,
                               .latency_ms = -1};
    return it;
}

/* The start line of a race: says "ready" with the file GO.HOST, then waits
 * for the file GO, which the script creates once every racer is ready.
 * A rendezvous, not a timing assertion. */
static void start_line(const char *go, const char *host)
{
    char ready[4096];
    snprintf(ready, sizeof ready, "%s.%s", go, host);
    FILE *f = fopen(ready, "w");
    if (!f || fclose(f)) {
        perror(ready);
        exit(2);
    }
    while (access(go, F_OK))
        usleep(1000);
}

/* ------------------------------------------------------------- store */

struct found {
    const char *id;
    struct fm_jrow row;
    char state[16], provider_id[32];
    long rows;
};

static int find_row(void *user, const struct fm_jrow *r)
{
    struct found *f = user;
    f->rows++;
    if (f->id && !strcmp(r->journal_id, f->id)) {
        f->row = *r;
        snprintf(f->state, sizeof f->state, "%s", r->state);
        snprintf(f->provider_id, sizeof f->provider_id, "%s",
                 r->provider_id ? r->provider_id : "");
    }
    return 0;
}

static long count_rows(struct fm_jdb *db, const struct fm_jquery *q)
{
    char err[512];
    struct found f = {0};
    if (be->list(db, q, find_row, &f, err, sizeof err))
        return -1;
    return f.rows;
}

static int sum_counts(void *user, const struct fm_jcount *c)
{
    *(int64_t *)user += c->n;
    return 0;
}

static int has_42(void *user, const char *p, const char *c, int64_t v)
{
    (void)p, (void)c;
    *(int *)user |= v == 42;
    return 0;
}

static int stop_at_first(void *user, const struct fm_jevent *ev)
{
    (void)ev;
    ++*(int *)user;
    return 7;
}

static void store_intents(struct fm_jdb *db, char *id_a, char *id_b)
{
    char err[512];
    struct fm_jintent it[3] = {
        intent(id_a, "6AHFT68CKAF501652", "lock_door", FM_JDUP_REJECT),
        intent("second-of-a", "6AHFT68CKAF501652", "lock_door", FM_JDUP_REJECT),
        intent(id_b, "9BWZZZ377VT004251", "location", FM_JDUP_REJECT)};
    check(!be->intents(db, it, 3, err, sizeof err), "intents: a batch commits");
    check(!it[0].dup_found && !it[0].refused && !it[2].refused,
          "intents: new commands are written as sending");
    check(it[1].dup_found && !strcmp(it[1].dup_id, id_a) &&
              !strcmp(it[1].dup_state, "sending") && it[1].refused &&
              !strcmp(it[1].refused, "duplicate") &&
              !strcmp(it[1].ev.error_name, "EREFUSED"),
          "intents: reject: an item equal to an earlier one of the batch is "
          "written as a refused duplicate");
    struct fm_jintent again =
        intent("later", "6AHFT68CKAF501652", "lock_door", FM_JDUP_COALESCE);
    struct fm_jquery all = {0};
    long before = count_rows(db, &all);
    check(
        !be->intents(db, &again, 1, err, sizeof err) && again.dup_found &&
            !strcmp(again.dup_id, id_a) && !again.refused &&
            count_rows(db, &all) == before,
        "intents: coalesce: a live duplicate is found and nothing is written");
    struct fm_jintent other =
        intent("other-cmd", "6AHFT68CKAF501652", "unlock_door", FM_JDUP_REJECT);
    check(!be->intents(db, &other, 1, err, sizeof err) && !other.dup_found,
          "intents: another command of the same VIN is no duplicate");
}

static void store_refusals(struct fm_jdb *db)
{
    char err[512];
    struct fm_jintent r =
        intent("refused-1", "6AHFT68CKAF501652", "lock_door", FM_JDUP_REJECT);
    r.refuse = "reason";
    r.refuse_error = "EREFUSED";
    check(
        !be->intents(db, &r, 1, err, sizeof err) && !r.dup_found && r.refused &&
            !strcmp(r.refused, "reason"),
        "intents: the caller's refusal is written, before any duplicate check");
    struct fm_jintent q[3] = {
        intent("quota-1", "QUOTA000000000001", "location", FM_JDUP_ALLOW),
        intent("quota-2", "QUOTA000000000002", "location", FM_JDUP_ALLOW),
        intent("quota-3", "QUOTA000000000003", "location", FM_JDUP_ALLOW)};
    for (int i = 0; i < 3; i++) {
        q[i].ev.provider = "quota-store";
        q[i].quota = 2;
        q[i].quota_since = 0;
    }
    check(!be->intents(db, q, 3, err, sizeof err) && !q[0].refused &&
              !q[1].refused && q[2].refused && !strcmp(q[2].refused, "quota") &&
              !strcmp(q[2].ev.error_name, "ERATELIMIT"),
          "intents: over the quota, counted inside the transaction, an item "
          "is refused 'quota'");
}

static void store_outcomes(struct fm_jdb *db, const char *id_a)
{
    char err[512];
    int64_t now = (int64_t)time(NULL);
    struct fm_jevent ev[2] = {{.journal_id = id_a,
                               .at = now,
                               .kind = "outcome",
                               .state = FM_J_PENDING,
                               .rc = 0,
                               .delivered = "yes",
                               .http_status = 200,
                               .provider_id = "p-1",
                               .latency_ms = 42},
                              {.journal_id = id_a,
                               .at = now + 1,
                               .kind = "status",
                               .state = FM_J_SUCCESS,
                               .rc = -1,
                               .executed_at = now + 1,
                               .late = true,
                               .latency_ms = -1}};
    check(!be->append(db, ev, 2, err, sizeof err), "append: two events commit");
    struct fm_jevent bad[2] = {ev[0], ev[0]};
    bad[1].journal_id = "no-such-command";
    struct fm_jquery all = {0};
    long before = count_rows(db, &all);
    check(be->append(db, bad, 2, err, sizeof err) &&
              strstr(err, "no-such-command"),
          "append: an event of an unknown command fails the call");
    struct found f = {.id = id_a};
    be->list(db, &(struct fm_jquery){.journal_id = id_a}, find_row, &f, err,
             sizeof err);
    check(f.rows == 1 && !strcmp(f.state, "success") &&
              !strcmp(f.provider_id, "p-1") && f.row.rc == 0 &&
              f.row.sent_at == now && f.row.executed_at == now + 1 &&
              f.row.late && f.row.latency_ms == 42,
          "append: the command's row sums up its events; a later event clears "
          "nothing");
    check(count_rows(db, &all) == before,
          "append: a failed call writes nothing");
}

static void store_reads(struct fm_jdb *db, const char *id_b)
{
    char err[512];
    int64_t used = -1, n = 0;
    check(!be->quota_used(db, "mobway", 0, &used, err, sizeof err) && used == 3,
          "quota_used: counts the provider's commands, not refused ones");
    struct found f = {.id = id_b};
    be->list(db, &(struct fm_jquery){.unresolved = true, .provider = "mobway"},
             find_row, &f, err, sizeof err);
    check(f.rows == 2 && !strcmp(f.state, "sending"),
          "list --unresolved: the commands that may still run");
    check(count_rows(db, &(struct fm_jquery){.limit = 2}) == 2, "list: limit");
    check(count_rows(db, &(struct fm_jquery){.provider_id = "p-1"}) == 1,
          "list: by the provider's id");
    check(!be->counts(db, 0, sum_counts, &n, err, sizeof err) && n == 8,
          "counts: every command once");
    int seen = 0;
    check(!be->latencies(db, 0, false, has_42, &seen, err, sizeof err) && seen,
          "latencies: the provider call's latency");
    struct chain_walk w = {0};
    check(!be->events(db, NULL, chain_check, &w, err, sizeof err) &&
              w.events == 10 && !w.bad,
          "events: each event reads back as written and chains to the one "
          "before");
    int calls = 0;
    check(
        be->events(db, NULL, stop_at_first, &calls, err, sizeof err) == 7 &&
            calls == 1,
        "events: a callback's non-zero return stops the walk and is returned");
}

static int last_hash(void *user, const struct fm_jevent *ev)
{
    memcpy(user, ev->hash, FM_JHASH_LEN);
    return 0;
}

struct pruned {
    int found;
    char note[200];
};

static int find_pruned(void *user, const struct fm_jevent *ev)
{
    struct pruned *p = user;
    if (!strcmp(ev->kind, "pruned")) {
        p->found++;
        snprintf(p->note, sizeof p->note, "%s", ev->note);
    }
    return 0;
}

static void store_prune(struct fm_jdb *db)
{
    char err[512], want[200], hex[2 * FM_JHASH_LEN + 1];
    uint8_t last[FM_JHASH_LEN];
    int64_t n = -1, before = (int64_t)time(NULL) + 10;
    be->events(db, NULL, last_hash, last, err, sizeof err);
    for (int i = 0; i < FM_JHASH_LEN; i++)
        sprintf(hex + 2 * i, "%02x", last[i]);
    check(!be->prune(db, before, &n, err, sizeof err) && n == 8,
          "prune: deletes the commands created before the time");
    struct pruned p = {0};
    be->events(db, NULL, find_pruned, &p, err, sizeof err);
    snprintf(want, sizeof want, "8 commands before %" PRId64 "; anchor %s",
             before, hex);
    check(p.found == 1 && !strcmp(p.note, want),
          "prune: records what it deleted and the chain's anchor");
    check(count_rows(db, &(struct fm_jquery){0}) == 0,
          "prune: nothing is left");
}

/* ---------------------------------------------------- schema 2: service */

static int claim(struct fm_jdb *db, const char *key, const char *fp,
                 int64_t now, int64_t ttl, int *status, char **reply)
{
    char err[512];
    int state = -1;
    *reply = NULL;
    if (be->idem_begin(db, "alice", key, fp, now, ttl, &state, status, reply,
                       err, sizeof err))
        fprintf(stderr, "idem_begin: %s\n", err);
    return state;
}

static void store_idem(struct fm_jdb *db)
{
    char err[512], *reply;
    int status = 0;
    bool found = false;
    int64_t now = (int64_t)time(NULL);
    check(claim(db, "k1", "fp", now, 60, &status, &reply) == FLEETMOD_IDEM_NEW,
          "idem: a new key is claimed");
    check(claim(db, "k1", "fp", now, 60, &status, &reply) == FLEETMOD_IDEM_BUSY,
          "idem: a claimed key without an answer is busy");
    check(!be->idem_finish(db, "alice", "k1", 202, "{\"id\":1}", &found, err,
                           sizeof err) &&
              found,
          "idem: the answer is stored");
    check(claim(db, "k1", "fp", now, 60, &status, &reply) ==
                  FLEETMOD_IDEM_DONE &&
              status == 202 && reply && !strcmp(reply, "{\"id\":1}"),
          "idem: an answered key gives its answer back");
    free(reply);
    check(claim(db, "k1", "other", now, 60, &status, &reply) ==
              FLEETMOD_IDEM_MISMATCH,
          "idem: another request under the same key is a mismatch");
    check(claim(db, "k1", "other", now + 61, 60, &status, &reply) ==
              FLEETMOD_IDEM_NEW,
          "idem: an expired key is claimed anew");
    check(!be->idem_finish(db, "alice", "nokey", 200, "{}", &found, err,
                           sizeof err) &&
              !found,
          "idem: finishing an unknown key finds nothing");
}

struct due {
    char ids[128];
    int n;
};

static int collect_due(void *user, const char *event_id, const char *body,
                       int64_t created_at, int64_t next_at, int attempts)
{
    struct due *d = user;
    (void)body, (void)created_at, (void)next_at, (void)attempts;
    size_t len = strlen(d->ids);
    snprintf(d->ids + len, sizeof d->ids - len, "%s%s", d->n++ ? "," : "",
             event_id);
    return 0;
}

static struct due due_now(struct fm_jdb *db, int64_t now)
{
    char err[512];
    struct due d = {"", 0};
    if (be->outbox_due(db, now, 0, collect_due, &d, err, sizeof err))
        fprintf(stderr, "outbox_due: %s\n", err);
    return d;
}

static void store_outbox(struct fm_jdb *db)
{
    char err[512];
    bool added = false, again = true, found = false;
    int64_t now = (int64_t)time(NULL), backlog = -1, newest = -1;
    check(!be->outbox_add(db, "e1", "{}", now, &added, err, sizeof err) &&
              added &&
              !be->outbox_add(db, "e1", "{}", now, &again, err, sizeof err) &&
              !again,
          "outbox: an event id is queued once");
    be->outbox_add(db, "e2", "{}", now + 1, &added, err, sizeof err);
    check(!strcmp(due_now(db, now + 1).ids, "e1,e2"),
          "outbox: due events come oldest first");
    check(!be->outbox_result(db, "e1", true, now + 2, 0, &found, err,
                             sizeof err) &&
              found,
          "outbox: a delivery is recorded");
    be->outbox_result(db, "e2", false, now + 2, now + 60, &found, err,
                      sizeof err);
    check(!due_now(db, now + 2).n && !strcmp(due_now(db, now + 60).ids, "e2"),
          "outbox: a failed delivery waits until its next attempt");
    check(!be->outbox_stat(db, &backlog, &newest, err, sizeof err) &&
              backlog == 1 && newest == now + 1,
          "outbox: the backlog and the newest event");
}

/* Claims N keys from the moment GO exists; prints how many were NEW. */
static int idem_race(char **a)
{
    char key[32], *reply;
    int status, fresh = 0, n = atoi(a[1]);
    struct fm_jdb *db = open_or_die(a[0]);
    start_line(a[2], a[0]);
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "race-%d", i);
        fresh += claim(db, key, "fp", (int64_t)time(NULL), 3600, &status,
                       &reply) == FLEETMOD_IDEM_NEW;
        free(reply);
    }
    printf("new %d\n", fresh);
    be->close(db);
    return 0;
}

static int store(void)
{
    char id_a[64], id_b[64];
    snprintf(id_a, sizeof id_a, "a-%ld", (long)getpid());
    snprintf(id_b, sizeof id_b, "b-%ld", (long)getpid());
    char err[512];
    struct fm_jdb *db = open_or_die("gw-store"), *again = NULL;
    check(!be->open(url, "gw-store", &svc, &again, err, sizeof err) && again,
          "open: a second connection finds the schema the first created");
    be->close(again);
    store_intents(db, id_a, id_b);
    store_refusals(db);
    store_outcomes(db, id_a);
    store_reads(db, id_b);
    store_prune(db);
    store_idem(db);
    store_outbox(db);
    be->close(db);
    return failed;
}

/* -------------------------------------------------------------- sends */

struct sender {
    const char *host_id, *vin, *command;
    struct fleetmod_handle *h;
    struct fm_jdb *db;
    int n, sent, errors;
    char err[512];
};

/* What the guard does for one send: the intent first (a duplicate is
 * written as refused), the module only when the intent was written as
 * sending, then the outcome. 1 sent, 0 refused, -1 a journal failure. */
static int guarded_send(struct sender *s, int i)
{
    char id[96];
    snprintf(id, sizeof id, "%s-%ld-%p-%d", s->host_id, (long)getpid(),
             (void *)s, i);
    struct fm_jintent it = intent(id, s->vin, s->command, FM_JDUP_REJECT);
    it.ev.host_id = s->host_id;
    if (be->intents(s->db, &it, 1, s->err, sizeof s->err))
        return -1;
    if (it.refused)
        return 0;
    struct fleetmod_request rq = {.vin = s->vin, .command = s->command};
    struct fleetmod_buf req = {0}, reply = {0};
    fleetmod_request_pack(&rq, &req);
    fleetmod_rc rc =
        fleetmod_send(s->h, req.data, req.len, fleetmod_buf_write, &reply);
    struct fleetmod_reply r = {0};
    fleetmod_reply_decode(reply.data, reply.len, &r);
    struct fm_jevent out = {.journal_id = id,
                            .host_id = s->host_id,
                            .at = (int64_t)time(NULL),
                            .kind = "outcome",
                            .state = rc ? FM_J_FAILED : FM_J_PENDING,
                            .rc = (int)rc,
                            .provider_id = r.id,
                            .latency_ms = -1};
    if (be->append(s->db, &out, 1, s->err, sizeof s->err))
        s->errors++;
    fleetmod_reply_free(&r);
    fleetmod_buf_free(&req);
    fleetmod_buf_free(&reply);
    return 1;
}

static void *sender_run(void *arg)
{
    struct sender *s = arg;
    for (int i = 0; i < s->n; i++) {
        int r = guarded_send(s, i);
        if (r < 0)
            s->errors++;
        else
            s->sent += r;
    }
    return NULL;
}

static struct fleetmod_handle *open_mobway(const char *so, const char *conf)
{
    struct fleetmod_handle *h;
    char err[FLEETMOD_ERR_MAX];
    if (fleetmod_open(so, conf, NULL, &h, err, sizeof err)) {
        fprintf(stderr, "mobway: %s\n", err);
        exit(2);
    }
    return h;
}

static int race(char **a)
{
    int threads = atoi(a[1]), n = atoi(a[2]);
    struct fleetmod_handle *h = open_mobway(a[5], a[6]);
    struct sender s[16] = {0};
    pthread_t t[16];
    if (threads < 1 || threads > 16 || n < threads)
        return 2;
    for (int i = 0; i < threads; i++)
        s[i] = (struct sender){.host_id = a[0],
                               .vin = a[3],
                               .command = a[4],
                               .h = h,
                               .db = open_or_die(a[0]),
                               .n = n / threads + (i < n % threads)};
    start_line(a[7], a[0]);
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, sender_run, &s[i]);
    int sent = 0, errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        sent += s[i].sent;
        errors += s[i].errors;
        if (s[i].errors)
            fprintf(stderr, "race: %s\n", s[i].err);
        be->close(s[i].db);
    }
    fleetmod_close(h);
    printf("sent %d\n", sent);
    return errors ? 1 : 0;
}

/* For each of N providers PREFIX-0..N-1 in turn, K commands of distinct
 * VINs under a quota of Q, one transaction each, from the moment GO
 * exists; prints how many were accepted. Two such processes cross a
 * quota's last unit together N times. */
static int quota(char **a)
{
    char err[512], id[96], vin[64], provider[64];
    struct fm_jdb *db = open_or_die(a[0]);
    int n = atoi(a[2]), k = atoi(a[3]), accepted = 0;
    start_line(a[5], a[0]);
    for (int i = 0; i < n * k; i++) {
        snprintf(provider, sizeof provider, "%s-%d", a[1], i / k);
        snprintf(id, sizeof id, "%s-q%d", a[0], i);
        snprintf(vin, sizeof vin, "Q%s%06d", a[0], i);
        struct fm_jintent it = intent(id, vin, "location", FM_JDUP_REJECT);
        it.ev.provider = provider;
        it.quota = atoll(a[4]);
        it.quota_since = (int64_t)time(NULL) - 86400;
        if (be->intents(db, &it, 1, err, sizeof err))
            return fprintf(stderr, "quota: %s\n", err), 1;
        accepted += !it.refused;
    }
    printf("accepted %d\n", accepted);
    be->close(db);
    return 0;
}

static int outage(char **a)
{
    struct sender s = {.host_id = "gw-outage",
                       .vin = a[2],
                       .h = open_mobway(a[0], a[1]),
                       .db = open_or_die("gw-outage")};
    char line[64];
    int i = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("ready\n");
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        s.command = line;
        int r = guarded_send(&s, i++);
        if (r < 0)
            printf("refused: %s\n", s.err);
        else
            printf(r ? "sent\n" : "duplicate\n");
    }
    be->close(s.db);
    fleetmod_close(s.h);
    return 0;
}

static int verify(void)
{
    char err[512];
    struct fm_jdb *db = open_or_die("gw-verify");
    struct chain_walk w = {0};
    check(!be->events(db, NULL, chain_check, &w, err, sizeof err) && !w.bad,
          "events: every chain is intact");
    printf("events %ld\n", w.events);
    be->close(db);
    return failed;
}

static int refused_open(char **a)
{
    char err[512] = "";
    struct fm_jdb *db = NULL;
    int rc = be->open(url, "gw-x", &svc, &db, err, sizeof err);
    printf("error: %s\n", err);
    check(rc == -1 && !db, "open: fails");
    check(!!strstr(err, a[0]), "open: the error says why");
    check(!a[1] || !strstr(err, a[1]),
          "open: the error never shows the password");
    return failed;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    fm_journal_backend_fn get =
        so ? (fm_journal_backend_fn)(uintptr_t)dlsym(so, FM_JOURNAL_PG_SYMBOL)
           : NULL;
    if (!get || !(be = get()) || be->version != FM_JOURNAL_BACKEND_VERSION) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1],
                so ? "bad table" : dlerror());
        return 2;
    }
    url = argv[2];
    const char *cmd = argv[3];
    int rc = 2;
    if (!strcmp(cmd, "store"))
        rc = store();
    else if (!strcmp(cmd, "race") && argc == 12)
        rc = race(argv + 4);
    else if (!strcmp(cmd, "quota") && argc == 10)
        rc = quota(argv + 4);
    else if (!strcmp(cmd, "outage") && argc == 7)
        rc = outage(argv + 4);
    else if (!strcmp(cmd, "idem-race") && argc == 7)
        rc = idem_race(argv + 4);
    else if (!strcmp(cmd, "verify"))
        rc = verify();
    else if (!strcmp(cmd, "refused-open") && argc >= 5)
        rc = refused_open(argv + 4);
    dlclose(so);
    return rc;
}
