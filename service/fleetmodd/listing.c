/*
 * listing.c - GET /v1/commands?vin=&state=&since=&limit=&after=: rows of
 * the journal's public view fleetmod_commands, newest first, a page at a
 * time. The cursor ("next", given back as "after") is the journal id of
 * the page's last row: the next page starts after it.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fmd.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000

struct page {
    const char *state, *after;
    bool past_cursor;
    size_t limit;
    json_t *rows;
    char *next;
    bool failed;
};

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

static json_t *row_json(const struct fleetmod_journal_row *r)
{
    return json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
        " s:o, s:b, s:o, s:o, s:o, s:o}",
        "journal_id", str_or_null(r->journal_id), "host_id",
        str_or_null(r->host_id), "provider", str_or_null(r->provider), "vin",
        str_or_null(r->vin), "command", str_or_null(r->command), "requester",
        str_or_null(r->requester), "reason", str_or_null(r->reason),
        "request_id", str_or_null(r->request_id), "provider_id",
        str_or_null(r->provider_id), "state", str_or_null(r->state), "rc",
        r->rc >= 0 ? json_integer(r->rc) : json_null(), "error_name",
        str_or_null(r->error_name), "delivered", str_or_null(r->delivered),
        "deadline", time_or_null(r->deadline), "late", r->late, "created_at",
        time_or_null(r->created_at), "sent_at", time_or_null(r->sent_at),
        "updated_at", time_or_null(r->updated_at), "executed_at",
        time_or_null(r->executed_at));
}

static int each(void *user, const struct fleetmod_journal_row *r)
{
    struct page *p = user;
    if (!p->past_cursor) {
        p->past_cursor = strcmp(r->journal_id, p->after) == 0;
        return 0;
    }
    if (p->state && (!r->state || strcmp(r->state, p->state)))
        return 0;
    if (json_array_size(p->rows) == p->limit) {
        /* One more row exists: the page gets a cursor. */
        json_t *last = json_array_get(p->rows, p->limit - 1);
        p->next =
            strdup(json_string_value(json_object_get(last, "journal_id")));
        return 1;
    }
    json_t *o = row_json(r);
    if (!o || json_array_append_new(p->rows, o)) {
        p->failed = true;
        return 1;
    }
    return 0;
}

static bool known_state(const char *s)
{
    for (int i = 0; fleetmod_journal_state_name(i); i++) {
        if (strcmp(fleetmod_journal_state_name(i), s) == 0)
            return true;
    }
    return false;
}

/* A query parameter of digits, or -1 when present and not that. */
static int64_t number(struct fmd_req *r, const char *name, int64_t none)
{
    const char *v = r->query(r->conn, name);
    if (!v)
        return none;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *v && !*end && n >= 0 ? n : -1;
}

static void answer_page(struct page *p, struct fmd_answer *a)
{
    json_t *o = json_pack("{s:O, s:o}", "commands", p->rows, "next",
                          p->next ? json_string(p->next) : json_null());
    a->status = 200;
    a->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
}

void fmd_get_commands(struct fmd_req *r, struct fmd_answer *a)
{
    struct page p = {.state = r->query(r->conn, "state"),
                     .after = r->query(r->conn, "after")};
    int64_t since = number(r, "since", 0),
            limit = number(r, "limit", PAGE_DEFAULT);
    if (since < 0 || limit < 1 || limit > PAGE_MAX) {
        fmd_answer_error(a, 400, FLEETMOD_EINVAL,
                         "since: epoch seconds; limit: 1 to %d", PAGE_MAX);
        return;
    }
    if (p.state && !known_state(p.state)) {
        fmd_answer_error(a, 400, FLEETMOD_EINVAL,
                         "state: one of refused sending sent confirmation "
                         "pending success error failed unknown");
        return;
    }
    p.limit = (size_t)limit;
    p.past_cursor = !p.after;
    p.rows = json_array();
    /* The first page of an unfiltered listing reads one row past it (to
     * know whether there is a next); any other walks to its cursor. */
    struct fleetmod_journal_filter f = {
        .struct_size = sizeof f,
        .vin = r->query(r->conn, "vin"),
        .since = since,
        .limit = p.after || p.state ? 0 : p.limit + 1};
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc =
        fleetmod_journal_list(r->s->journal, &f, each, &p, err, sizeof err);
    if (rc != FLEETMOD_OK || p.failed || !p.rows)
        fmd_answer_error(a, 500, rc ? rc : FLEETMOD_ENOMEM,
                         "reading the journal: %s", err);
    else if (!p.past_cursor)
        fmd_answer_error(a, 400, FLEETMOD_EINVAL,
                         "after: no command %s in this listing", p.after);
    else
        answer_page(&p, a);
    json_decref(p.rows);
    free(p.next);
}
