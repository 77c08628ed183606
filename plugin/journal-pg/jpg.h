/*
 * jpg.h - what the files of journal_pg.so share: the connection handle
 * and statement helpers.
 *
 * Every statement goes through jpg_exec with text parameters; a NULL
 * parameter is SQL NULL. Nothing here is thread-safe: libfleetmod
 * serialises the calls on one struct fm_jdb (backend.h).
 */
#ifndef JPG_H
#define JPG_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

/* Declared before backend.h, whose function types take it. */
struct fm_jdb;
#include "backend.h"

struct fm_jdb {
    PGconn *conn;
    char *host_id;
    const struct fm_journal_services *svc;
    int broken;          /* an answer timed out: reset before the next use */
    int64_t deadline_ms; /* for the result awaited (monotonic clock) */
};

/* Milliseconds this side waits for any one answer: the server's own
 * statement_timeout (conn.h) and a margin for the network. */
#define JPG_ANSWER_TIMEOUT_MS 15000

/* Up to JPG_MAX_PARAMS text parameters of one statement. */
#define JPG_MAX_PARAMS 32
struct jpg_params {
    const char *v[JPG_MAX_PARAMS];
    char num[JPG_MAX_PARAMS][24];
    char hex[2][2 * FM_JHASH_LEN + 1];
    int n, nhex;
};

/* Appends a string (NULL stays SQL NULL), an integer, or an integer that
 * is SQL NULL unless has (the journal's "none" for times and codes). */
void jpg_str(struct jpg_params *p, const char *s);
void jpg_int(struct jpg_params *p, int64_t v);
void jpg_opt(struct jpg_params *p, int64_t v, bool has);
/* Appends a hash as schema.h stores it, lowercase hex (at most two per
 * statement). */
void jpg_hash(struct jpg_params *p, const uint8_t h[FM_JHASH_LEN]);

/* Runs sql with p (may be NULL). Returns the result when its status is
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK, else NULL with "what: reason" in
 * err. The caller PQclear()s a result. */
PGresult *jpg_exec(struct fm_jdb *db, const char *sql,
                   const struct jpg_params *p, const char *what, char *err,
                   size_t errlen);
/* jpg_exec for statements whose rows nobody reads: 0 or -1. */
int jpg_run(struct fm_jdb *db, const char *sql, const struct jpg_params *p,
            const char *what, char *err, size_t errlen);

/* wait.c: the connection made usable: reset (bounded by the connect
 * timeout) when the server went away or an answer timed out. 0, or -1
 * with err. */
int jpg_alive(struct fm_jdb *db, char *err, size_t errlen);
/* wait.c: sends sql (with p: one statement with parameters; p NULL:
 * statements without, several allowed), in single-row mode when asked.
 * 0, or -1 with err. */
int jpg_send(struct fm_jdb *db, const char *sql, const struct jpg_params *p,
             bool single_row, const char *what, char *err, size_t errlen);
/* wait.c: the next result of the statement in flight, NULL at its end;
 * NULL with *failed set (and err) when it did not come within
 * JPG_ANSWER_TIMEOUT_MS or the connection broke. */
PGresult *jpg_next(struct fm_jdb *db, const char *what, int *failed, char *err,
                   size_t errlen);

/* read.c: runs sql and calls fn for each row (row 0 of r), streaming in
 * single-row mode so that no result is held whole. A non-zero return of fn
 * stops the walk (the rest of the query is cancelled) and is returned;
 * else 0, or -1 with err. */
typedef int (*jpg_row_fn)(void *ctx, const PGresult *r);
int jpg_stream(struct fm_jdb *db, const char *sql, const struct jpg_params *p,
               const char *what, jpg_row_fn fn, void *ctx, char *err,
               size_t errlen);

/* BEGIN, after making sure the connection is up; ROLLBACK (errors
 * ignored: the caller reports the first one); COMMIT. 0 or -1. */
int jpg_begin(struct fm_jdb *db, char *err, size_t errlen);
void jpg_rollback(struct fm_jdb *db);
int jpg_commit(struct fm_jdb *db, char *err, size_t errlen);

/* Column helpers of a text-format result: NULL for SQL NULL; the integer
 * value, or none for SQL NULL; a hash decoded from 64 lowercase hex digits
 * into h (-1, h partly written, for anything else). */
const char *jpg_col(const PGresult *r, int row, int col);
int64_t jpg_col_int(const PGresult *r, int row, int col, int64_t none);
int jpg_col_hash(const PGresult *r, int row, int col, uint8_t h[FM_JHASH_LEN]);

/* lock.c: the transaction-scoped advisory locks of the journal. jpg_key
 * names a lock (tag "fleetmod vin ", "fleetmod quota ", ...);
 * jpg_lock_keys takes a set of them (sorting keys in place), the others
 * one lock each. Locks are held until the transaction ends. */
int64_t jpg_key(const char *tag, const char *name);
int jpg_lock_keys(struct fm_jdb *db, int64_t *keys, size_t n, char *err,
                  size_t errlen);
int jpg_lock_chain(struct fm_jdb *db, char *err, size_t errlen);
int jpg_lock_schema(struct fm_jdb *db, char *err, size_t errlen);

/* schema.c: creates, migrates or refuses the database's schema. */
int jpg_schema(struct fm_jdb *db, char *err, size_t errlen);

/* event.c: the chain's last hash (zeros for a new chain), read inside the
 * caller's transaction with the chain lock held; -1 when it is damaged, so
 * that the chain never grows on a hash nobody can check. */
int jpg_last_hash(struct fm_jdb *db, uint8_t h[FM_JHASH_LEN], char *err,
                  size_t errlen);
/* event.c: the outcome of an event as eight parameters, in the order both the
 * event's INSERT and the summary row's UPDATE take them: rc, error_name,
 * delivered, http_status, provider_id, executed_at, late, latency_ms
 * (NULL where the event does not set one). */
void jpg_outcome(struct jpg_params *p, const struct fm_jevent *ev);

/* event.c: appends ev to this connection's chain: host_id and prev_hash
 * (= h) set, hashed by libfleetmod, inserted; h becomes ev's hash, the
 * prev_hash of the next event of the same transaction. */
int jpg_event_insert(struct fm_jdb *db, struct fm_jevent *ev,
                     uint8_t h[FM_JHASH_LEN], char *err, size_t errlen);

/* The backend's functions, one file each (write.c, read.c). */
int jpg_intents(struct fm_jdb *db, struct fm_jintent *items, size_t n,
                char *err, size_t errlen);
int jpg_append(struct fm_jdb *db, struct fm_jevent *evs, size_t n, char *err,
               size_t errlen);
int jpg_prune(struct fm_jdb *db, int64_t before, int64_t *n, char *err,
              size_t errlen);
int jpg_quota_used(struct fm_jdb *db, const char *provider, int64_t since,
                   int64_t *out, char *err, size_t errlen);
int jpg_list(struct fm_jdb *db, const struct fm_jquery *q, fm_jrow_fn fn,
             void *user, char *err, size_t errlen);
int jpg_events(struct fm_jdb *db, const char *journal_id, fm_jevent_fn fn,
               void *user, char *err, size_t errlen);
int jpg_counts(struct fm_jdb *db, int64_t since, fm_jcount_fn fn, void *user,
               char *err, size_t errlen);
int jpg_latencies(struct fm_jdb *db, int64_t since, bool executed,
                  fm_jvalue_fn fn, void *user, char *err, size_t errlen);

/* svc.c: idempotency keys and the outbox (backend.h, "Since schema 2"). */
int jpg_idem_begin(struct fm_jdb *db, const char *requester, const char *key,
                   const char *fingerprint, int64_t now, int64_t ttl_s,
                   int *state, int *http_status, char **reply, char *err,
                   size_t errlen);
int jpg_idem_finish(struct fm_jdb *db, const char *requester, const char *key,
                    int http_status, const char *reply, bool *found, char *err,
                    size_t errlen);
int jpg_outbox_add(struct fm_jdb *db, const char *event_id, const char *body,
                   int64_t now, bool *added, char *err, size_t errlen);
int jpg_outbox_due(struct fm_jdb *db, int64_t now, size_t limit,
                   int (*fn)(void *user, const char *event_id, const char *body,
                             int64_t created_at, int64_t next_at, int attempts),
                   void *user, char *err, size_t errlen);
int jpg_outbox_result(struct fm_jdb *db, const char *event_id, bool delivered,
                      int64_t now, int64_t next_at, bool *found, char *err,
                      size_t errlen);
int jpg_outbox_stat(struct fm_jdb *db, int64_t *backlog, int64_t *newest,
                    char *err, size_t errlen);

#endif
