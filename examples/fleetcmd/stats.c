/*
 * stats.c - journal stats, for people or as OpenMetrics.
 *
 * The library hands each provider and command to a callback, valid during
 * the call only; they are copied first because OpenMetrics wants each
 * metric family's samples together, one family after the other.
 */
#include "stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal.h"
#include "progress.h"

struct stat_copy {
    char *provider, *command;
    struct fleetmod_journal_stat s;
};

struct all {
    struct stat_copy *v;
    size_t n, cap;
    bool oom;
};

static char *dup_str(const char *s, bool *oom)
{
    char *d = strdup(s ? s : "");

    *oom |= !d;
    return d;
}

static int take(void *user, const struct fleetmod_journal_stat *s)
{
    struct all *all = user;
    struct stat_copy *c;

    if (all->n == all->cap) {
        size_t cap = all->cap ? 2 * all->cap : 16;
        struct stat_copy *grown = realloc(all->v, cap * sizeof *grown);
        if (!grown)
            return all->oom = true;
        all->v = grown;
        all->cap = cap;
    }
    c = &all->v[all->n++];
    c->s = *s;
    c->provider = dup_str(s->provider, &all->oom);
    c->command = dup_str(s->command, &all->oom);
    return all->oom;
}

static void free_all(struct all *all)
{
    for (size_t i = 0; i < all->n; i++) {
        free(all->v[i].provider);
        free(all->v[i].command);
    }
    free(all->v);
}

/* ---- for people ------------------------------------------------------------
 */

static void print_pair(const char *what, int64_t p50, int64_t p95,
                       const char *unit)
{
    if (p50 < 0)
        printf("  %s: no sample\n", what);
    else
        printf("  %s: p50 %" PRId64 " %s, p95 %" PRId64 " %s\n", what, p50,
               unit, p95, unit);
}

static void print_block(const struct stat_copy *c)
{
    const struct fleetmod_journal_stat *s = &c->s;

    printf("%s  %s: %" PRId64 " command%s, %" PRId64 " unresolved\n",
           c->provider, c->command, s->total, s->total == 1 ? "" : "s",
           s->unresolved);
    fputs("  states:", stdout);
    for (int i = 0; i < FLEETMOD_JOURNAL_STATES; i++)
        if (s->by_state[i])
            printf(" %s=%" PRId64, fleetmod_journal_state_name(i),
                   s->by_state[i]);
    putchar('\n');
    print_pair("call latency", s->call_p50_ms, s->call_p95_ms, "ms");
    print_pair("created to executed", s->executed_p50_s, s->executed_p95_s,
               "s");
    if (s->quota >= 0)
        printf("  quota: %" PRId64 " used, %" PRId64 " left of %" PRId64
               " per 24 h\n",
               s->quota_used,
               s->quota > s->quota_used ? s->quota - s->quota_used : 0,
               s->quota);
}

static void print_human(const struct all *all)
{
    for (size_t i = 0; i < all->n; i++)
        print_block(&all->v[i]);
    if (all->n == 0)
        puts("no commands in the journal");
}

/* ---- OpenMetrics ------------------------------------------------------------
 */

/* A label value: backslash, double quote and newline escaped. */
static void put_label(const char *name, const char *v)
{
    printf("%s=\"", name);
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            putchar('\\');
        if (*v == '\n')
            fputs("\\n", stdout);
        else
            putchar(*v);
    }
    putchar('"');
}

static void family(const char *name, const char *help)
{
    printf("# TYPE %s gauge\n# HELP %s %s\n", name, name, help);
}

/* name{provider="..",command=".." and the closing brace, after
 * sample_with's one more label. */
static void sample_open(const char *name, const struct stat_copy *c)
{
    printf("%s{", name);
    put_label("provider", c->provider);
    putchar(',');
    put_label("command", c->command);
}

static void sample_head(const char *name, const struct stat_copy *c)
{
    sample_open(name, c);
    putchar('}');
}

static void sample_with(const char *name, const struct stat_copy *c,
                        const char *label, const char *value)
{
    sample_open(name, c);
    putchar(',');
    put_label(label, value);
    putchar('}');
}

static void om_states(const struct all *all)
{
    family("fleetmod_journal_commands",
           "Commands in the journal by provider, command and state.");
    for (size_t i = 0; i < all->n; i++)
        for (int k = 0; k < FLEETMOD_JOURNAL_STATES; k++) {
            sample_with("fleetmod_journal_commands", &all->v[i], "state",
                        fleetmod_journal_state_name(k));
            printf(" %" PRId64 "\n", all->v[i].s.by_state[k]);
        }
    family("fleetmod_journal_unresolved",
           "Commands not known to be done (sending, sent, confirmation, "
           "pending, unknown).");
    for (size_t i = 0; i < all->n; i++) {
        sample_head("fleetmod_journal_unresolved", &all->v[i]);
        printf(" %" PRId64 "\n", all->v[i].s.unresolved);
    }
}

/* p50 and p95 of one latency, in seconds (scale: units per second);
 * commands without a sample have none. */
static void om_latency(const struct all *all, const char *name,
                       const char *help, bool call)
{
    family(name, help);
    for (size_t i = 0; i < all->n; i++) {
        const struct fleetmod_journal_stat *s = &all->v[i].s;
        int64_t q[2] = {call ? s->call_p50_ms : s->executed_p50_s,
                        call ? s->call_p95_ms : s->executed_p95_s};
        const char *label[2] = {"0.5", "0.95"};
        for (int k = 0; k < 2 && q[0] >= 0; k++) {
            sample_with(name, &all->v[i], "quantile", label[k]);
            if (call)
                printf(" %" PRId64 ".%03" PRId64 "\n", q[k] / 1000,
                       q[k] % 1000);
            else
                printf(" %" PRId64 "\n", q[k]);
        }
    }
}

/* The quota is the provider's: once per provider (stats come sorted). */
static void om_quota(const struct all *all, const char *name, const char *help,
                     bool used)
{
    family(name, help);
    for (size_t i = 0; i < all->n; i++) {
        const struct stat_copy *c = &all->v[i];
        if (c->s.quota < 0 ||
            (i > 0 && strcmp(all->v[i - 1].provider, c->provider) == 0))
            continue;
        printf("%s{", name);
        put_label("provider", c->provider);
        printf("} %" PRId64 "\n", used ? c->s.quota_used : c->s.quota);
    }
}

static void print_openmetrics(const struct all *all)
{
    om_states(all);
    om_latency(all, "fleetmod_journal_call_latency_seconds",
               "The provider call's latency, median and 95th percentile.",
               true);
    om_latency(all, "fleetmod_journal_executed_latency_seconds",
               "From created to executed, median and 95th percentile.", false);
    om_quota(all, "fleetmod_journal_quota",
             "The provider's rolling 24 h quota of commands.", false);
    om_quota(all, "fleetmod_journal_quota_used",
             "Commands counted against the quota in the last 24 h.", true);
    puts("# EOF");
}

int fc_cmd_journal_stats(const struct fc_args *a)
{
    int64_t since = a->since_s ? (int64_t)time(NULL) - a->since_s : 0;
    struct all all = {0};
    struct fc_progress p = {.running = false};
    struct fleetmod_host host;
    struct fleetmod_journal *j;
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc = fc_journal_open(a, "journal stats", &host, &j);

    if (rc != FLEETMOD_OK)
        return (int)rc;
    fc_progress_start(&p, "journal stats: reading the journal");
    rc = fleetmod_journal_stats(j, since, take, &all, err, sizeof err);
    fc_progress_stop(&p);
    fleetmod_journal_close(j);
    if (rc == FLEETMOD_OK && all.oom) {
        rc = FLEETMOD_ENOMEM;
        snprintf(err, sizeof err, "no memory for the stats");
    }
    if (rc == FLEETMOD_OK && a->openmetrics)
        print_openmetrics(&all);
    else if (rc == FLEETMOD_OK)
        print_human(&all);
    free_all(&all);
    return fc_journal_failed(rc, err);
}
