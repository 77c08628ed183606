/*
 * journal/sqlite_svc.c - idempotency keys and the outbox in the SQLite
 * journal (backend.h, "Since schema 2"). Each write is one BEGIN IMMEDIATE
 * transaction, so that two processes claiming one key serialise on the
 * file's write lock and exactly one of them gets FLEETMOD_IDEM_NEW.
 */
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "sqlite_svc.h"

#include <fleetmod/service.h>

static int fail(struct fm_jdb *d, char *err, size_t errlen, const char *what)
{
    sqlite3 *db;
    const char *path, *host;
    fm_sq_parts(d, &db, &path, &host);
    fm_err(err, errlen, "journal %s: %s: %s", path, what, sqlite3_errmsg(db));
    return -1;
}

static sqlite3 *conn(struct fm_jdb *d)
{
    sqlite3 *db;
    const char *path, *host;
    fm_sq_parts(d, &db, &path, &host);
    return db;
}

static const char *host_of(struct fm_jdb *d)
{
    sqlite3 *db;
    const char *path, *host;
    fm_sq_parts(d, &db, &path, &host);
    return host;
}

/* Prepare sql and bind the texts of args (NULL-terminated). */
static sqlite3_stmt *prep(struct fm_jdb *d, const char *sql,
                          const char *const *args, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(conn(d), sql, -1, &st, NULL) != SQLITE_OK) {
        fail(d, err, errlen, "prepare");
        return NULL;
    }
    for (int i = 0; args && args[i]; i++)
        sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
    return st;
}

static int begin(struct fm_jdb *d, char *err, size_t errlen)
{
    if (sqlite3_exec(conn(d), "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(d, err, errlen, "begin");
    return 0;
}

static int end(struct fm_jdb *d, int bad, char *err, size_t errlen)
{
    if (!bad && sqlite3_exec(conn(d), "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    if (!bad)
        fail(d, err, errlen, "commit");
    sqlite3_exec(conn(d), "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* Run a write statement to completion; -1 with err on failure. */
static int run(struct fm_jdb *d, sqlite3_stmt *st, char *err, size_t errlen)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return st ? fail(d, err, errlen, "write") : -1;
    return 0;
}

/* Reads the claim; 1 when there is one that is still valid. */
static int read_claim(struct fm_jdb *d, const char *const *who, int64_t since,
                      const char *fingerprint, int *state, int *http_status,
                      char **reply, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep(d,
                            "SELECT fingerprint, http_status, reply, "
                            "created_at FROM fm_idem WHERE requester = ?1 "
                            "AND idem_key = ?2",
                            who, err, errlen);
    if (!st)
        return -1;
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 3) >= since) {
        found = 1;
        const char *fp = (const char *)sqlite3_column_text(st, 0);
        const char *r = (const char *)sqlite3_column_text(st, 2);
        if (!fp || strcmp(fp, fingerprint) != 0)
            *state = FLEETMOD_IDEM_MISMATCH;
        else if (sqlite3_column_type(st, 1) == SQLITE_NULL || !r)
            *state = FLEETMOD_IDEM_BUSY;
        else if (!(*reply = strdup(r)))
            found = -1;
        else {
            *state = FLEETMOD_IDEM_DONE;
            *http_status = sqlite3_column_int(st, 1);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(d, err, errlen, "reading an idempotency key");
    if (found < 0)
        fm_err(err, errlen, "journal: out of memory");
    return found;
}

int fm_sq_idem_begin(struct fm_jdb *d, const char *requester, const char *key,
                     const char *fingerprint, int64_t now, int64_t ttl_s,
                     int *state, int *http_status, char **reply, char *err,
                     size_t errlen)
{
    const char *who[] = {requester, key, NULL};
    *reply = NULL;
    if (begin(d, err, errlen))
        return -1;
    int found = read_claim(d, who, now - ttl_s, fingerprint, state, http_status,
                           reply, err, errlen);
    if (found != 0)
        return end(d, found < 0, err, errlen);
    const char *args[] = {requester, key, fingerprint, NULL};
    sqlite3_stmt *st = prep(d,
                            "INSERT OR REPLACE INTO fm_idem (requester, "
                            "idem_key, fingerprint, created_at) VALUES "
                            "(?1, ?2, ?3, ?4)",
                            args, err, errlen);
    if (st)
        sqlite3_bind_int64(st, 4, now);
    *state = FLEETMOD_IDEM_NEW;
    return end(d, run(d, st, err, errlen), err, errlen);
}

int fm_sq_idem_finish(struct fm_jdb *d, const char *requester, const char *key,
                      int http_status, const char *reply, bool *found,
                      char *err, size_t errlen)
{
    const char *args[] = {requester, key, reply, NULL};
    sqlite3_stmt *st = prep(d,
                            "UPDATE fm_idem SET reply = ?3, http_status = ?4 "
                            "WHERE requester = ?1 AND idem_key = ?2",
                            args, err, errlen);
    if (st)
        sqlite3_bind_int(st, 4, http_status);
    if (begin(d, err, errlen)) {
        sqlite3_finalize(st);
        return -1;
    }
    int bad = run(d, st, err, errlen);
    *found = !bad && sqlite3_changes(conn(d)) > 0;
    return end(d, bad, err, errlen);
}

int fm_sq_outbox_add(struct fm_jdb *d, const char *event_id, const char *body,
                     int64_t now, bool *added, char *err, size_t errlen)
{
    const char *args[] = {host_of(d), event_id, body, NULL};
    sqlite3_stmt *st = prep(d,
                            "INSERT OR IGNORE INTO fm_outbox (host_id, "
                            "event_id, body, created_at, next_at) VALUES "
                            "(?1, ?2, ?3, ?4, ?4)",
                            args, err, errlen);
    if (st)
        sqlite3_bind_int64(st, 4, now);
    if (begin(d, err, errlen)) {
        sqlite3_finalize(st);
        return -1;
    }
    int bad = run(d, st, err, errlen);
    *added = !bad && sqlite3_changes(conn(d)) > 0;
    return end(d, bad, err, errlen);
}

int fm_sq_outbox_due(struct fm_jdb *d, int64_t now, size_t limit,
                     int (*fn)(void *user, const char *event_id,
                               const char *body, int64_t created_at,
                               int64_t next_at, int attempts),
                     void *user, char *err, size_t errlen)
{
    const char *args[] = {host_of(d), NULL};
    sqlite3_stmt *st = prep(d,
                            "SELECT event_id, body, created_at, next_at, "
                            "attempts FROM fm_outbox WHERE host_id = ?1 AND "
                            "delivered_at IS NULL AND next_at <= ?2 ORDER BY "
                            "created_at, event_id LIMIT ?3",
                            args, err, errlen);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, limit ? (int64_t)limit : -1);
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn(user, (const char *)sqlite3_column_text(st, 0),
                  (const char *)sqlite3_column_text(st, 1),
                  sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                  sqlite3_column_int(st, 4));
    sqlite3_finalize(st);
    if (!stop && rc != SQLITE_DONE)
        return fail(d, err, errlen, "reading the outbox");
    return stop;
}

int fm_sq_outbox_result(struct fm_jdb *d, const char *event_id, bool delivered,
                        int64_t now, int64_t next_at, bool *found, char *err,
                        size_t errlen)
{
    const char *args[] = {host_of(d), event_id, NULL};
    sqlite3_stmt *st =
        prep(d,
             delivered ? "UPDATE fm_outbox SET delivered_at = ?3, attempts = "
                         "attempts + 1 WHERE host_id = ?1 AND event_id = ?2"
                       : "UPDATE fm_outbox SET next_at = ?3, attempts = "
                         "attempts + 1 WHERE host_id = ?1 AND event_id = ?2",
             args, err, errlen);
    if (st)
        sqlite3_bind_int64(st, 3, delivered ? now : next_at);
    if (begin(d, err, errlen)) {
        sqlite3_finalize(st);
        return -1;
    }
    int bad = run(d, st, err, errlen);
    *found = !bad && sqlite3_changes(conn(d)) > 0;
    return end(d, bad, err, errlen);
}

int fm_sq_outbox_stat(struct fm_jdb *d, int64_t *backlog, int64_t *newest,
                      char *err, size_t errlen)
{
    const char *args[] = {host_of(d), NULL};
    sqlite3_stmt *st = prep(d,
                            "SELECT count(*) FILTER (WHERE delivered_at IS "
                            "NULL), coalesce(max(created_at), 0) FROM "
                            "fm_outbox WHERE host_id = ?1",
                            args, err, errlen);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *backlog = sqlite3_column_int64(st, 0);
        *newest = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : fail(d, err, errlen, "reading the outbox");
}
