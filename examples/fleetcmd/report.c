/*
 * report.c - a batch as a table or as JSON lines, its counts and hints.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "hint.h"

/* The count line's words, in this order; other statuses count as
 * "other". */
enum {
    ST_SUCCESS,
    ST_ERROR,
    ST_FAILED,
    ST_PENDING,
    ST_CONFIRMATION,
    N_STATUSES
};
static const char *const statuses[N_STATUSES] = {"success", "error", "failed",
                                                 "pending", "confirmation"};

struct counts {
    size_t by_status[N_STATUSES];
    size_t other, no_reply, done, failed;
    size_t not_ok; /* items not done as asked (exit.h) */
};

static bool is(const struct fc_item *it, const char *status)
{
    return it->has_reply && it->reply.status &&
           strcmp(it->reply.status, status) == 0;
}

static bool item_ok(const struct fc_item *it, bool waited)
{
    return it->has_reply && !it->reply.has_error &&
           fc_exit_of(FLEETMOD_OK, &it->reply, waited) == 0;
}

static void count(const struct fc_items *b, bool waited, struct counts *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < b->n; i++) {
        const struct fc_item *it = &b->item[i];
        size_t k = 0;
        c->not_ok += !item_ok(it, waited);
        if (!it->has_reply) {
            c->no_reply++;
            continue;
        }
        while (k < N_STATUSES && !is(it, statuses[k]))
            k++;
        if (k < N_STATUSES)
            c->by_status[k]++;
        else
            c->other++;
        c->done += it->reply.terminal;
        c->failed += k == ST_ERROR || k == ST_FAILED;
    }
}

void fc_report_progress(const struct fc_items *b, uint64_t elapsed_ms)
{
    struct counts c;

    count(b, false, &c);
    fprintf(stderr, "\rbatch: %zu/%zu done, %zu failed, %.1f s\033[K", c.done,
            b->n, c.failed, (double)elapsed_ms / 1000.0);
}

void fc_report_progress_end(void)
{
    fputs("\r\033[K", stderr);
}

/* ---- the table ----------------------------------------------------------- */

static const char *status_of(const struct fc_item *it)
{
    return it->has_reply && it->reply.status ? it->reply.status : "-";
}

static bool keyed_by_id(const struct fc_items *b)
{
    return strcmp(b->key_name, "id") == 0;
}

/* One part of RESULT, two spaces after the one before. */
static void part(bool *first, const char *name, const char *value)
{
    if (!value)
        return;
    printf("%s%s%s", *first ? "" : "  ", name, value);
    *first = false;
}

/* "NAME: MESSAGE", and a guard's refusal its reason (error.reason). */
static void print_error(const struct fc_item *it)
{
    const struct fleetmod_reply *r = &it->reply;
    struct fleetmod_reply_map *m = NULL;
    const char *reason = NULL;

    if (fleetmod_reply_map_decode(it->raw.data, it->raw.len, &m) == FLEETMOD_OK)
        reason = fleetmod_reply_get_str(m, "error.reason");
    printf("%s: %s", r->error.name, r->error.message);
    if (reason)
        printf(" (reason: %s)", reason);
    fleetmod_reply_map_free(m);
}

/* RESULT: the error, or what identifies and explains the item. */
static void print_result(const struct fc_items *b, const struct fc_item *it)
{
    const struct fleetmod_reply *r = &it->reply;
    bool first = true;

    if (!it->has_reply) {
        fputs("no reply: the batch call failed", stdout);
        return;
    }
    if (r->has_error) {
        print_error(it);
        return;
    }
    part(&first, "", keyed_by_id(b) ? r->vin : r->id);
    part(&first, "code=", r->code);
    part(&first, "", is(it, "error") ? r->detail_text : NULL);
    if (first)
        putchar('-');
}

static void print_table(const struct fc_items *b)
{
    const char *head = keyed_by_id(b) ? "ID" : "VIN";
    int kw = (int)strlen(head), sw = (int)strlen("STATUS");

    for (size_t i = 0; i < b->n; i++) {
        int k = (int)strlen(b->item[i].key);
        int s = (int)strlen(status_of(&b->item[i]));
        kw = k > kw ? k : kw;
        sw = s > sw ? s : sw;
    }
    printf("%-*s  %-*s  RESULT\n", kw, head, sw, "STATUS");
    for (size_t i = 0; i < b->n; i++) {
        printf("%-*s  %-*s  ", kw, b->item[i].key, sw, status_of(&b->item[i]));
        print_result(b, &b->item[i]);
        putchar('\n');
    }
}

static void print_counts(const struct fc_items *b, const struct counts *c)
{
    const char *sep = ": ";

    printf("%zu item%s", b->n, b->n == 1 ? "" : "s");
    for (size_t k = 0; k < N_STATUSES; k++) {
        if (c->by_status[k])
            printf("%s%zu %s", sep, c->by_status[k], statuses[k]);
        sep = c->by_status[k] ? ", " : sep;
    }
    if (c->other)
        printf("%s%zu other", sep, c->other);
    sep = c->other ? ", " : sep;
    if (c->no_reply)
        printf("%s%zu without a reply", sep, c->no_reply);
    putchar('\n');
}

static void print_json(const struct fc_items *b)
{
    for (size_t i = 0; i < b->n; i++) {
        char *json;
        if (!b->item[i].has_reply)
            continue;
        json = fleetmod_msg_to_json(b->item[i].raw.data, b->item[i].raw.len);
        if (json)
            puts(json);
        free(json);
    }
}

/* ---- stderr ---------------------------------------------------------------
 */

/* confirm has no batch form: each item is confirmed on its own, by a
 * person who read the provider's message. */
static void print_confirmations(const struct fc_args *a,
                                const struct fc_items *b, size_t n)
{
    const char *said = NULL;

    fprintf(stderr,
            "fleetcmd: %zu item%s asked for confirmation; nothing was "
            "executed for %s. A batch cannot be confirmed (confirm has no "
            "batch form: each confirmation is a decision about one "
            "vehicle). To go ahead, one by one:\n",
            n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
    for (size_t i = 0; i < b->n; i++) {
        const struct fleetmod_reply *r = &b->item[i].reply;
        if (!is(&b->item[i], "confirmation"))
            continue;
        if (r->message && (!said || strcmp(said, r->message) != 0))
            fprintf(stderr, "  # %s\n", said = r->message);
        fc_hint_confirm(a, b->item[i].key, a->command, r);
    }
}

static void print_notes(const struct fc_args *a, const struct fc_items *b,
                        const struct counts *c)
{
    size_t pending = c->by_status[ST_PENDING];
    size_t confirmation = c->by_status[ST_CONFIRMATION];

    if (c->failed)
        fprintf(stderr,
                "fleetcmd: %zu of %zu items failed (status error or "
                "failed)\n",
                c->failed, b->n);
    if (a->wait && pending) {
        fprintf(stderr,
                "fleetcmd: %zu item%s still pending after %g s; ask again "
                "with a FILE of the ids above:\n",
                pending, pending == 1 ? " is" : "s are",
                (double)a->wait_ms / 1000.0);
        fc_hint_status_file(a);
    }
    if (confirmation)
        print_confirmations(a, b, confirmation);
}

int fc_report(const struct fc_args *a, const struct fc_items *b)
{
    struct counts c;

    count(b, a->wait, &c);
    /* A batch call that failed as a whole has said so on stderr; a table
     * of nothing but "no reply" rows would add nothing. */
    if (a->json)
        print_json(b);
    else if (c.no_reply < b->n) {
        print_table(b);
        print_counts(b, &c);
    }
    fflush(stdout);
    print_notes(a, b, &c);
    return c.not_ok ? FC_EXIT_BATCH : 0;
}
