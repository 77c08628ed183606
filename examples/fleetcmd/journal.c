/*
 * journal.c - journal, journal show, journal verify: printers over
 * libfleetmod's reading calls (guard.h).
 */
#include "journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exit.h"
#include "jsonrow.h"
#include "log.h"
#include "policy.h"
#include "utc.h"

fleetmod_rc fc_journal_open(const struct fc_args *a, const char *what,
                            struct fleetmod_host *host,
                            struct fleetmod_journal **j)
{
    const char *policy = fc_policy_needed(a, what);
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc;

    *j = NULL;
    if (!policy)
        return FLEETMOD_ECONFIG;
    /* The journal's own log lines (a PostgreSQL journal's warnings). */
    fc_log_host(host, &a->verbose);
    rc = fleetmod_journal_open(policy, host, j, err, sizeof err);
    return fc_journal_failed(rc, err);
}

int fc_journal_failed(fleetmod_rc rc, const char *err)
{
    /* libfleetmod's sentence names the policy file or the journal. */
    if (rc != FLEETMOD_OK)
        fprintf(stderr, "fleetcmd: %s: %s\n", fleetmod_rc_name(rc),
                err[0] ? err : fleetmod_strerror(rc));
    return (int)rc;
}

static const char *or_dash(const char *s)
{
    return s && s[0] ? s : "-";
}

/* The journal's error name, else the rc's own ("OK" for 0). */
static const char *rc_name(int rc, const char *error_name)
{
    return error_name ? error_name : fleetmod_rc_name((fleetmod_rc)rc);
}

/* ---- journal: the list ----------------------------------------------------
 */

struct listing {
    bool json;
    size_t n;
    int failed; /* a JSON line could not be made */
};

#define LIST_HEAD                                                              \
    "JOURNAL                     CREATED               VIN                "    \
    "COMMAND           STATE         REQUESTER\n"

static int list_row(void *user, const struct fleetmod_journal_row *r)
{
    struct listing *l = user;
    char created[32];

    if (l->json) {
        json_t *o = fc_json_row(r);
        l->failed = fc_json_print(o);
        json_decref(o);
        return l->failed;
    }
    if (l->n == 0)
        fputs(LIST_HEAD, stdout);
    printf("%-26s  %-20s  %-17s  %-16s  %-12s  %s%s\n", or_dash(r->journal_id),
           fc_utc(r->created_at, created, sizeof created), or_dash(r->vin),
           or_dash(r->command), or_dash(r->state), or_dash(r->requester),
           r->late ? "  late" : "");
    l->n++;
    return 0;
}

int fc_cmd_journal(const struct fc_args *a)
{
    struct fleetmod_journal_filter f = {
        .struct_size = sizeof f,
        .vin = a->filter_vin,
        .since = a->since_s ? (int64_t)time(NULL) - a->since_s : 0,
        .unresolved = a->unresolved};
    struct listing l = {.json = a->json};
    struct fleetmod_host host;
    struct fleetmod_journal *j;
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc = fc_journal_open(a, "journal", &host, &j);

    if (rc != FLEETMOD_OK)
        return (int)rc;
    rc = fleetmod_journal_list(j, &f, list_row, &l, err, sizeof err);
    fleetmod_journal_close(j);
    if (rc != FLEETMOD_OK)
        return fc_journal_failed(rc, err);
    if (l.failed)
        return FLEETMOD_ENOMEM;
    if (!a->json)
        printf("%zu command%s\n", l.n, l.n == 1 ? "" : "s");
    return 0;
}

/* ---- journal show ID ------------------------------------------------------
 */

struct showing {
    json_t *row; /* --json: the command, then its "events" */
    json_t *events;
    bool bad;
};

static void print_time(const char *key, int64_t t)
{
    char buf[32];

    if (t)
        printf("  %s=%s\n", key, fc_utc(t, buf, sizeof buf));
}

static void print_str(const char *key, const char *v)
{
    if (v)
        printf("  %s=%s\n", key, v);
}

static void print_row(const struct fleetmod_journal_row *r)
{
    printf("%s  %s  %s  journal=%s\n", or_dash(r->state), or_dash(r->command),
           or_dash(r->vin), or_dash(r->journal_id));
    print_str("provider", r->provider);
    print_str("provider_id", r->provider_id);
    print_str("host_id", r->host_id);
    print_str("requester", r->requester);
    print_str("reason", r->reason);
    print_str("request_id", r->request_id);
    if (r->rc >= 0)
        printf("  rc=%d %s (delivered: %s)\n", r->rc,
               rc_name(r->rc, r->error_name), or_dash(r->delivered));
    print_time("created", r->created_at);
    print_time("sent", r->sent_at);
    print_time("updated", r->updated_at);
    print_time("executed", r->executed_at);
    print_time("deadline", r->deadline);
    if (r->late)
        puts("  late=true (executed after the deadline)");
    if (r->latency_ms >= 0)
        printf("  latency=%" PRId64 " ms\n", r->latency_ms);
    puts("events:");
}

static int show_row(void *user, const struct fleetmod_journal_row *r)
{
    struct showing *s = user;

    if (!s->events) {
        print_row(r);
        return 0;
    }
    s->row = fc_json_row(r);
    s->bad |= !s->row;
    return 0;
}

static void print_event(const struct fleetmod_journal_event *e)
{
    char at[32];

    printf("  %" PRId64 "  %s  %s", e->seq, fc_utc(e->at, at, sizeof at),
           or_dash(e->kind));
    if (e->state)
        printf("  %s", e->state);
    if (e->rc >= 0)
        printf("  rc=%d %s", e->rc, rc_name(e->rc, e->error_name));
    if (e->delivered)
        printf("  delivered=%s", e->delivered);
    if (e->http_status)
        printf("  http=%d", e->http_status);
    if (e->provider_id)
        printf("  provider_id=%s", e->provider_id);
    if (e->late)
        fputs("  late", stdout);
    if (e->note)
        printf("  (%s)", e->note);
    putchar('\n');
}

static int show_event(void *user, const struct fleetmod_journal_event *e)
{
    struct showing *s = user;

    if (!s->events) {
        print_event(e);
        return 0;
    }
    s->bad |= json_array_append_new(s->events, fc_json_event(e)) != 0;
    return 0;
}

static int print_shown(struct showing *s)
{
    int rc;

    if (s->bad || !s->row ||
        json_object_set(s->row, "events", s->events) != 0) {
        fputs("fleetcmd: ENOMEM: no memory for the JSON object\n", stderr);
        return FLEETMOD_ENOMEM;
    }
    rc = fc_json_print(s->row);
    return rc ? FLEETMOD_ENOMEM : 0;
}

int fc_cmd_journal_show(const struct fc_args *a)
{
    struct showing s = {.events = a->json ? json_array() : NULL};
    struct fleetmod_host host;
    struct fleetmod_journal *j;
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc = fc_journal_open(a, "journal show", &host, &j);

    if (rc == FLEETMOD_OK) {
        rc = fleetmod_journal_show(j, a->id, show_row, show_event, &s, err,
                                   sizeof err);
        fleetmod_journal_close(j);
        if (rc == FLEETMOD_ENOTFOUND && !err[0])
            snprintf(err, sizeof err, "no command %s in the journal", a->id);
        fc_journal_failed(rc, err);
    }
    if (rc == FLEETMOD_OK && a->json)
        rc = print_shown(&s);
    json_decref(s.row);
    json_decref(s.events);
    return (int)rc;
}

/* ---- journal verify --------------------------------------------------------
 */

int fc_cmd_journal_verify(const struct fc_args *a)
{
    struct fleetmod_journal_verdict v = {.struct_size = sizeof v};
    struct fleetmod_host host;
    struct fleetmod_journal *j;
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc = fc_journal_open(a, "journal verify", &host, &j);

    if (rc != FLEETMOD_OK)
        return (int)rc;
    rc = fleetmod_journal_verify(j, &v, err, sizeof err);
    fleetmod_journal_close(j);
    if (rc != FLEETMOD_OK)
        return fc_journal_failed(rc, err);
    if (!v.intact) {
        fprintf(stderr,
                "fleetcmd: the journal does not verify: event %" PRId64
                " of host %s (command %s): %s\n",
                v.bad_seq, or_dash(v.bad_host), or_dash(v.bad_journal_id),
                or_dash(v.why));
        return FC_EXIT_TAMPERED;
    }
    printf("journal intact: %" PRIu64 " events in %" PRIu64 " chain%s\n",
           v.events, v.chains, v.chains == 1 ? "" : "s");
    return 0;
}
