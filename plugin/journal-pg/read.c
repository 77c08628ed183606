/*
 * read.c - the journal's reads: quota, list, events, stats.
 *
 * Walks over many rows (events for verify, latencies for stats) stream in
 * libpq's single-row mode, so a million-row journal never sits in memory
 * at once. Text is ordered with COLLATE "C", byte order, as SQLite orders
 * it, so both backends list in the same order.
 */
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "jpg.h"
#include "schema.h"

/* Asks the server to stop the query a callback no longer wants (the
 * rows already on their way are read and dropped). */
static void cancel(struct fm_jdb *db)
{
    char buf[256];
    PGcancel *c = PQgetCancel(db->conn);
    if (c)
        PQcancel(c, buf, sizeof buf);
    PQfreeCancel(c);
}

int jpg_stream(struct fm_jdb *db, const char *sql, const struct jpg_params *p,
               const char *what, jpg_row_fn fn, void *ctx, char *err,
               size_t errlen)
{
    /* A walk lasts as long as its reader takes (libfleetmod hashes every
     * event of a verify): no statement_timeout for it; wait.c still bounds
     * the silence before each row. */
    if (jpg_alive(db, err, errlen) ||
        jpg_run(db, "SET statement_timeout = 0", NULL, what, err, errlen) ||
        jpg_send(db, sql, p, true, what, err, errlen))
        return -1;
    int rc = 0, failed = 0;
    PGresult *r;
    while ((r = jpg_next(db, what, &failed, err, errlen))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && !rc && !failed) {
            rc = fn(ctx, r);
            if (rc)
                cancel(db);
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && !rc &&
                   !failed) {
            jpg_err(db->conn, r, what, err, errlen);
            failed = 1;
        }
        PQclear(r);
    }
    /* Back to the writes' bound. Should that fail, the next call starts
     * over on a fresh connection, which has it from its startup. */
    char again[256];
    if (!db->broken &&
        jpg_run(db, "SET statement_timeout = " JPG_STATEMENT_TIMEOUT_MS, NULL,
                what, again, sizeof again))
        db->broken = 1;
    return rc ? rc : failed ? -1 : 0;
}

int jpg_quota_used(struct fm_jdb *db, const char *provider, int64_t since,
                   int64_t *out, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, provider);
    jpg_int(&p, since);
    if (jpg_alive(db, err, errlen))
        return -1;
    PGresult *r =
        jpg_exec(db,
                 "SELECT count(*) FROM fm_commands WHERE provider = $1 "
                 "AND created_at >= $2::bigint AND state <> 'refused'",
                 &p, "journal: counting the quota", err, errlen);
    if (!r)
        return -1;
    *out = jpg_col_int(r, 0, 0, 0);
    PQclear(r);
    return 0;
}

struct list_ctx {
    fm_jrow_fn fn;
    void *user;
};

static int list_row(void *ctx, const PGresult *r)
{
    struct list_ctx *c = ctx;
    struct fm_jrow row = {
        .journal_id = jpg_col(r, 0, 0),
        .host_id = jpg_col(r, 0, 1),
        .provider = jpg_col(r, 0, 2),
        .vin = jpg_col(r, 0, 3),
        .command = jpg_col(r, 0, 4),
        .requester = jpg_col(r, 0, 5),
        .reason = jpg_col(r, 0, 6),
        .request_id = jpg_col(r, 0, 7),
        .provider_id = jpg_col(r, 0, 8),
        .state = jpg_col(r, 0, 9),
        .error_name = jpg_col(r, 0, 10),
        .delivered = jpg_col(r, 0, 11),
        .rc = (int)jpg_col_int(r, 0, 12, -1),
        .deadline = jpg_col_int(r, 0, 13, 0),
        .created_at = jpg_col_int(r, 0, 14, 0),
        .sent_at = jpg_col_int(r, 0, 15, 0),
        .updated_at = jpg_col_int(r, 0, 16, 0),
        .executed_at = jpg_col_int(r, 0, 17, 0),
        .late = jpg_col_int(r, 0, 18, 0) != 0,
        .latency_ms = jpg_col_int(r, 0, 19, -1),
        .writer = {.pid = jpg_col_int(r, 0, 20, 0),
                   .start = jpg_col_int(r, 0, 21, 0)},
    };
    const char *boot = jpg_col(r, 0, 22);
    snprintf(row.writer.boot, sizeof row.writer.boot, "%s", boot ? boot : "");
    return c->fn(c->user, &row);
}

int jpg_list(struct fm_jdb *db, const struct fm_jquery *q, fm_jrow_fn fn,
             void *user, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, q->journal_id);
    jpg_str(&p, q->vin);
    jpg_str(&p, q->provider);
    jpg_int(&p, q->since);
    jpg_int(&p, q->open ? 2 : q->unresolved ? 1 : 0);
    jpg_opt(&p, (int64_t)q->limit, q->limit != 0);
    jpg_str(&p, q->provider_id);
    struct list_ctx c = {fn, user};
    return jpg_stream(
        db,
        "SELECT journal_id, host_id, provider, vin, command, requester, "
        "reason, request_id, provider_id, state, error_name, delivered, rc, "
        "deadline, created_at, sent_at, updated_at, executed_at, late, "
        "latency_ms, writer_pid, writer_start, writer_boot FROM fm_commands "
        "WHERE ($1::text IS NULL OR journal_id = $1) "
        "AND ($2::text IS NULL OR vin = $2) "
        "AND ($3::text IS NULL OR provider = $3) "
        "AND created_at >= $4::bigint "
        "AND ($5::integer = 0 OR ($5 = 1 AND state IN " FM_SQL_LIVE_STATES
        ") OR ($5 = 2 AND " FM_SQL_UNRESOLVED ")) "
        "AND ($7::text IS NULL OR provider_id = $7) "
        "ORDER BY created_at DESC, journal_id COLLATE \"C\" DESC "
        "LIMIT $6::bigint",
        &p, "journal: listing commands", list_row, &c, err, errlen);
}

static int state_of(const char *word)
{
    for (int s = 0; word && s < FM_J_STATE_COUNT; s++)
        if (!strcmp(word, fm_jstate_name(s)))
            return s;
    return -1;
}

struct event_ctx {
    fm_jevent_fn fn;
    void *user;
};

/* The inverse of event.c's mapping: every NULL becomes its "none". */
static int event_row(void *ctx, const PGresult *r)
{
    struct event_ctx *c = ctx;
    struct fm_jevent ev = {
        .host_id = jpg_col(r, 0, 0),
        .journal_id = jpg_col(r, 0, 1),
        .at = jpg_col_int(r, 0, 2, 0),
        .kind = jpg_col(r, 0, 3),
        .state = state_of(jpg_col(r, 0, 4)),
        .provider = jpg_col(r, 0, 5),
        .vin = jpg_col(r, 0, 6),
        .command = jpg_col(r, 0, 7),
        .requester = jpg_col(r, 0, 8),
        .reason = jpg_col(r, 0, 9),
        .request_id = jpg_col(r, 0, 10),
        .deadline = jpg_col_int(r, 0, 11, 0),
        .rc = (int)jpg_col_int(r, 0, 12, -1),
        .error_name = jpg_col(r, 0, 13),
        .delivered = jpg_col(r, 0, 14),
        .http_status = (int)jpg_col_int(r, 0, 15, 0),
        .provider_id = jpg_col(r, 0, 16),
        .executed_at = jpg_col_int(r, 0, 17, 0),
        .late = jpg_col_int(r, 0, 18, 0) != 0,
        .latency_ms = jpg_col_int(r, 0, 19, -1),
        .note = jpg_col(r, 0, 20),
        .detail = jpg_col(r, 0, 21),
        .seq = jpg_col_int(r, 0, 24, 0),
    };
    /* A damaged hash reads as all ones: it never matches, so verify names
     * the event (as the SQLite backend does). */
    if (jpg_col_hash(r, 0, 22, ev.prev_hash))
        memset(ev.prev_hash, 0xff, FM_JHASH_LEN);
    if (jpg_col_hash(r, 0, 23, ev.hash))
        memset(ev.hash, 0xff, FM_JHASH_LEN);
    return c->fn(c->user, &ev);
}

int jpg_events(struct fm_jdb *db, const char *journal_id, fm_jevent_fn fn,
               void *user, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, journal_id);
    struct event_ctx c = {fn, user};
    return jpg_stream(
        db,
        journal_id ? "SELECT " FM_EVENT_COLUMNS ", seq FROM fm_events "
                     "WHERE journal_id = $1 ORDER BY seq"
                   : "SELECT " FM_EVENT_COLUMNS ", seq FROM fm_events "
                     "WHERE $1::text IS NULL "
                     "ORDER BY host_id COLLATE \"C\", seq",
        &p, "journal: reading events", event_row, &c, err, errlen);
}

struct count_ctx {
    fm_jcount_fn fn;
    void *user;
};

static int count_row(void *ctx, const PGresult *r)
{
    struct count_ctx *c = ctx;
    struct fm_jcount n = {jpg_col(r, 0, 0), jpg_col(r, 0, 1), jpg_col(r, 0, 2),
                          jpg_col_int(r, 0, 3, 0), jpg_col_int(r, 0, 4, 0)};
    return c->fn(c->user, &n);
}

int jpg_counts(struct fm_jdb *db, int64_t since, fm_jcount_fn fn, void *user,
               char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_int(&p, since);
    struct count_ctx c = {fn, user};
    return jpg_stream(
        db,
        "SELECT provider, command, state, count(*), "
        "count(*) FILTER (WHERE " FM_SQL_UNRESOLVED ") FROM fm_commands "
        "WHERE created_at >= $1::bigint GROUP BY 1, 2, 3 "
        "ORDER BY provider COLLATE \"C\", command COLLATE \"C\", "
        "state COLLATE \"C\"",
        &p, "journal: counting commands", count_row, &c, err, errlen);
}

struct value_ctx {
    fm_jvalue_fn fn;
    void *user;
};

static int value_row(void *ctx, const PGresult *r)
{
    struct value_ctx *c = ctx;
    return c->fn(c->user, jpg_col(r, 0, 0), jpg_col(r, 0, 1),
                 jpg_col_int(r, 0, 2, 0));
}

int jpg_latencies(struct fm_jdb *db, int64_t since, bool executed,
                  fm_jvalue_fn fn, void *user, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_int(&p, since);
    struct value_ctx c = {fn, user};
    return jpg_stream(
        db,
        executed ? "SELECT provider, command, executed_at - created_at "
                   "FROM fm_commands WHERE executed_at IS NOT NULL "
                   "AND created_at >= $1::bigint"
                 : "SELECT provider, command, latency_ms "
                   "FROM fm_commands WHERE latency_ms IS NOT NULL "
                   "AND created_at >= $1::bigint",
        &p, "journal: reading latencies", value_row, &c, err, errlen);
}
