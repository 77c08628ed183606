/*
 * journal/sqlite_svc.h - the SQLite backend's idempotency keys and outbox
 * (backend.h, "Since schema 2"; tables of schema.h's FM_SCHEMA_MIGRATE_V1_V2).
 */
#ifndef FM_JOURNAL_SQLITE_SVC_H
#define FM_JOURNAL_SQLITE_SVC_H

#include <sqlite3.h>

#include "backend.h"

/* sqlite.c: the connection, its file and its host_id. */
void fm_sq_parts(struct fm_jdb *d, sqlite3 **db, const char **path,
                 const char **host_id);

/* sqlite_svc.c: backend.h's members of the same names. */
int fm_sq_idem_begin(struct fm_jdb *d, const char *requester, const char *key,
                     const char *fingerprint, int64_t now, int64_t ttl_s,
                     int *state, int *http_status, char **reply, char *err,
                     size_t errlen);
int fm_sq_idem_finish(struct fm_jdb *d, const char *requester, const char *key,
                      int http_status, const char *reply, bool *found,
                      char *err, size_t errlen);
int fm_sq_outbox_add(struct fm_jdb *d, const char *event_id, const char *body,
                     int64_t now, bool *added, char *err, size_t errlen);
int fm_sq_outbox_due(struct fm_jdb *d, int64_t now, size_t limit,
                     int (*fn)(void *user, const char *event_id,
                               const char *body, int64_t created_at,
                               int64_t next_at, int attempts),
                     void *user, char *err, size_t errlen);
int fm_sq_outbox_result(struct fm_jdb *d, const char *event_id, bool delivered,
                        int64_t now, int64_t next_at, bool *found, char *err,
                        size_t errlen);
int fm_sq_outbox_stat(struct fm_jdb *d, int64_t *backlog, int64_t *newest,
                      char *err, size_t errlen);

#endif /* FM_JOURNAL_SQLITE_SVC_H */
