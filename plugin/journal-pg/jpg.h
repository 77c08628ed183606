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

#include <stdint.h>

#include <libpq-fe.h>

/* Declared before backend.h, whose function types take it. */
struct fm_jdb;
#include "backend.h"

struct fm_jdb {
    PGconn *conn;
    char *host_id;
    const struct fm_journal_services *svc;
};

/* Up to JPG_MAX_PARAMS text parameters of one statement. */
#define JPG_MAX_PARAMS 32
struct jpg_params {
    const char *v[JPG_MAX_PARAMS];
    char num[JPG_MAX_PARAMS][24];
    char hex[2][2 * FM_JHASH_LEN + 1];
    int n, nhex;
};

/* Appends a string (NULL stays SQL NULL), an integer, or an integer that is
 * SQL NULL when it equals none. */
void jpg_str(struct jpg_params *p, const char *s);
void jpg_int(struct jpg_params *p, int64_t v);
void jpg_int_or_null(struct jpg_params *p, int64_t v, int64_t none);
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

/* BEGIN, after making sure the connection is up; ROLLBACK (errors
 * ignored: the caller reports the first one); COMMIT. 0 or -1. */
int jpg_begin(struct fm_jdb *db, char *err, size_t errlen);
void jpg_rollback(struct fm_jdb *db);
int jpg_commit(struct fm_jdb *db, char *err, size_t errlen);

/* Column helpers of a text-format result: NULL for SQL NULL; the integer
 * value, or none for SQL NULL; a hex hash decoded into h (zeros for
 * NULL or anything that is not 64 hex digits). */
const char *jpg_col(const PGresult *r, int row, int col);
int64_t jpg_col_int(const PGresult *r, int row, int col, int64_t none);
void jpg_col_hash(const PGresult *r, int row, int col, uint8_t h[FM_JHASH_LEN]);

/* lock.c: takes the transaction-scoped advisory locks of the journal. */
int jpg_lock_vins(struct fm_jdb *db, const char *const *vins, size_t n,
                  char *err, size_t errlen);
int jpg_lock_chain(struct fm_jdb *db, char *err, size_t errlen);
int jpg_lock_schema(struct fm_jdb *db, char *err, size_t errlen);

/* schema.c: creates, migrates or refuses the database's schema. */
int jpg_schema(struct fm_jdb *db, char *err, size_t errlen);

/* event.c: appends ev to this connection's chain inside the caller's
 * transaction (the chain lock must be held): reads the chain's last hash,
 * sets ev->prev_hash, has libfleetmod hash it, inserts it. */
int jpg_event_insert(struct fm_jdb *db, struct fm_jevent *ev, char *err,
                     size_t errlen);

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

#endif
