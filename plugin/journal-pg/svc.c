/*
 * svc.c - idempotency keys and the outbox in the PostgreSQL journal
 * (backend.h, "Since schema 2"; the tables of schema.h's
 * FM_SCHEMA_MIGRATE_V1_V2), as the SQLite store keeps them.
 *
 * A claim is decided under a transaction-scoped advisory lock on its
 * requester and key, so that two hosts claiming one key at once serialise
 * and exactly one of them gets FLEETMOD_IDEM_NEW. The outbox is this
 * connection's host_id's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fleetmod/service.h>

#include "conn.h"
#include "jpg.h"

/* The claim (requester, key) if still valid: 1 (state and the copies
 * set), 0 (none or expired) or -1. */
static int read_claim(struct fm_jdb *db, const char *requester, const char *key,
                      int64_t since, const char *fingerprint, int *state,
                      int *http_status, char **reply, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, requester);
    jpg_str(&p, key);
    jpg_int(&p, since);
    PGresult *r =
        jpg_exec(db,
                 "SELECT fingerprint, http_status, reply FROM fm_idem "
                 "WHERE requester = $1 AND idem_key = $2 "
                 "AND created_at >= $3::bigint",
                 &p, "journal: reading an idempotency key", err, errlen);
    if (!r)
        return -1;
    int found = PQntuples(r) > 0;
    if (found) {
        const char *fp = jpg_col(r, 0, 0), *answer = jpg_col(r, 0, 2);
        if (!fp || strcmp(fp, fingerprint))
            *state = FLEETMOD_IDEM_MISMATCH;
        else if (!jpg_col(r, 0, 1) || !answer)
            *state = FLEETMOD_IDEM_BUSY;
        else if (!(*reply = strdup(answer)))
            found = -1;
        else {
            *state = FLEETMOD_IDEM_DONE;
            *http_status = (int)jpg_col_int(r, 0, 1, 0);
        }
    }
    PQclear(r);
    if (found < 0)
        snprintf(err, errlen, "journal: out of memory");
    return found;
}

static int claim(struct fm_jdb *db, const char *requester, const char *key,
                 const char *fingerprint, int64_t now, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, requester);
    jpg_str(&p, key);
    jpg_str(&p, fingerprint);
    jpg_int(&p, now);
    return jpg_run(db,
                   "INSERT INTO fm_idem (requester, idem_key, fingerprint, "
                   "created_at) VALUES ($1, $2, $3, $4::bigint) "
                   "ON CONFLICT (requester, idem_key) DO UPDATE SET "
                   "fingerprint = EXCLUDED.fingerprint, created_at = "
                   "EXCLUDED.created_at, http_status = NULL, reply = NULL",
                   &p, "journal: claiming an idempotency key", err, errlen);
}

int jpg_idem_begin(struct fm_jdb *db, const char *requester, const char *key,
                   const char *fingerprint, int64_t now, int64_t ttl_s,
                   int *state, int *http_status, char **reply, char *err,
                   size_t errlen)
{
    char name[600];
    snprintf(name, sizeof name, "%s\n%s", requester ? requester : "", key);
    int64_t lock = jpg_key("fleetmod idem ", name);
    *reply = NULL;
    if (jpg_begin(db, err, errlen))
        return -1;
    int found = jpg_lock_keys(db, &lock, 1, err, errlen)
                    ? -1
                    : read_claim(db, requester, key, now - ttl_s, fingerprint,
                                 state, http_status, reply, err, errlen);
    if (!found) {
        *state = FLEETMOD_IDEM_NEW;
        found = claim(db, requester, key, fingerprint, now, err, errlen);
    }
    if (found < 0) {
        jpg_rollback(db);
        free(*reply);
        *reply = NULL;
        return -1;
    }
    return jpg_commit(db, err, errlen);
}

/* One write statement in its own transaction; *changed: a row matched. */
static int write_one(struct fm_jdb *db, const char *sql,
                     const struct jpg_params *p, const char *what,
                     bool *changed, char *err, size_t errlen)
{
    if (jpg_begin(db, err, errlen))
        return -1;
    PGresult *r = jpg_exec(db, sql, p, what, err, errlen);
    if (!r) {
        jpg_rollback(db);
        return -1;
    }
    *changed = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    return jpg_commit(db, err, errlen);
}

int jpg_idem_finish(struct fm_jdb *db, const char *requester, const char *key,
                    int http_status, const char *reply, bool *found, char *err,
                    size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, requester);
    jpg_str(&p, key);
    jpg_str(&p, reply);
    jpg_int(&p, http_status);
    return write_one(db,
                     "UPDATE fm_idem SET reply = $3, http_status = $4::integer "
                     "WHERE requester = $1 AND idem_key = $2",
                     &p, "journal: storing an idempotent answer", found, err,
                     errlen);
}

int jpg_outbox_add(struct fm_jdb *db, const char *event_id, const char *body,
                   int64_t now, bool *added, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, db->host_id);
    jpg_str(&p, event_id);
    jpg_str(&p, body);
    jpg_int(&p, now);
    return write_one(db,
                     "INSERT INTO fm_outbox (host_id, event_id, body, "
                     "created_at, next_at) VALUES ($1, $2, $3, $4::bigint, "
                     "$4::bigint) ON CONFLICT (host_id, event_id) DO NOTHING",
                     &p, "journal: queueing an event", added, err, errlen);
}

struct due_ctx {
    int (*fn)(void *user, const char *event_id, const char *body,
              int64_t created_at, int64_t next_at, int attempts);
    void *user;
};

static int due_row(void *ctx, const PGresult *r)
{
    struct due_ctx *c = ctx;
    return c->fn(c->user, jpg_col(r, 0, 0), jpg_col(r, 0, 1),
                 jpg_col_int(r, 0, 2, 0), jpg_col_int(r, 0, 3, 0),
                 (int)jpg_col_int(r, 0, 4, 0));
}

int jpg_outbox_due(struct fm_jdb *db, int64_t now, size_t limit,
                   int (*fn)(void *user, const char *event_id, const char *body,
                             int64_t created_at, int64_t next_at, int attempts),
                   void *user, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, db->host_id);
    jpg_int(&p, now);
    jpg_opt(&p, (int64_t)limit, limit != 0);
    struct due_ctx c = {fn, user};
    return jpg_stream(db,
                      "SELECT event_id, body, created_at, next_at, attempts "
                      "FROM fm_outbox WHERE host_id = $1 AND delivered_at IS "
                      "NULL AND next_at <= $2::bigint ORDER BY created_at, "
                      "event_id COLLATE \"C\" LIMIT $3::bigint",
                      &p, "journal: reading the outbox", due_row, &c, err,
                      errlen);
}

int jpg_outbox_result(struct fm_jdb *db, const char *event_id, bool delivered,
                      int64_t now, int64_t next_at, bool *found, char *err,
                      size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, db->host_id);
    jpg_str(&p, event_id);
    jpg_int(&p, delivered ? now : next_at);
    return write_one(db,
                     delivered ? "UPDATE fm_outbox SET delivered_at = "
                                 "$3::bigint, attempts = attempts + 1 WHERE "
                                 "host_id = $1 AND event_id = $2"
                               : "UPDATE fm_outbox SET next_at = $3::bigint, "
                                 "attempts = attempts + 1 WHERE host_id = $1 "
                                 "AND event_id = $2",
                     &p, "journal: recording a delivery", found, err, errlen);
}

int jpg_outbox_stat(struct fm_jdb *db, int64_t *backlog, int64_t *newest,
                    char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, db->host_id);
    if (jpg_alive(db, err, errlen))
        return -1;
    PGresult *r = jpg_exec(db,
                           "SELECT count(*) FILTER (WHERE delivered_at IS "
                           "NULL), coalesce(max(created_at), 0) FROM "
                           "fm_outbox WHERE host_id = $1",
                           &p, "journal: reading the outbox", err, errlen);
    if (!r)
        return -1;
    *backlog = jpg_col_int(r, 0, 0, 0);
    *newest = jpg_col_int(r, 0, 1, 0);
    PQclear(r);
    return 0;
}
