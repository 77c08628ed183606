/*
 * journal/sqlite.c - the SQLite journal backend (backend.h), linked into
 * libfleetmod; url "sqlite:PATH".
 *
 * Any number of processes on one machine share the file: WAL (readers
 * never block the writer), synchronous=FULL (a commit is on disk when it
 * returns: the write-ahead promise), and a busy timeout instead of
 * SQLITE_BUSY. Every write transaction is BEGIN IMMEDIATE: it takes the
 * write lock before it reads, so the duplicate and quota checks and the
 * insert they guard are one atomic step across processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "journal.h"
#include "schema.h"
#include "sqlite_svc.h"

/* Long enough for another process's batch of 1000 intents. */
#define BUSY_TIMEOUT_MS 30000

struct fm_jdb {
    sqlite3 *db;
    char *path;
    char *host_id;
    const struct fm_journal_services *svc;
};

static int fail(struct fm_jdb *d, char *err, size_t errlen, const char *what)
{
    fm_err(err, errlen, "journal %s: %s: %s", d->path, what,
           d->db ? sqlite3_errmsg(d->db) : "cannot open");
    return -1;
}

static int exec(struct fm_jdb *d, const char *sql, char *err, size_t errlen)
{
    if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(d, err, errlen, sql);
    return 0;
}

static void rollback(struct fm_jdb *d)
{
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
}

static int commit(struct fm_jdb *d, char *err, size_t errlen)
{
    if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail(d, err, errlen, "commit");
        rollback(d);
        return -1;
    }
    return 0;
}

/* One statement, prepared, bound, stepped: a small helper layer. */
static sqlite3_stmt *prep(struct fm_jdb *d, const char *sql, char *err,
                          size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(d, err, errlen, "prepare");
        return NULL;
    }
    return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* 0 binds NULL: the journal's "none" for times and codes. */
static void bind_opt(sqlite3_stmt *st, int i, int64_t v, bool has)
{
    if (has)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int64_t col_int(sqlite3_stmt *st, int i, int64_t none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? none
               : sqlite3_column_int64(st, i);
}

/* ---- schema -------------------------------------------------------------*/

static int schema_version(struct fm_jdb *d, int *v, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep(
        d,
        "SELECT (SELECT count(*) FROM sqlite_master WHERE name='fm_schema'),"
        " (SELECT count(*) FROM sqlite_master)",
        err, errlen);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int has = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    int any = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return fail(d, err, errlen, "not a journal (reading its schema)");
    if (!has) {
        *v = 0;
        if (any) {
            fm_err(err, errlen,
                   "journal %s: an SQLite database that is not a fleetmod "
                   "journal (it has tables but no fm_schema); not touched",
                   d->path);
            return -1;
        }
        return 0;
    }
    st = prep(d, "SELECT max(version) FROM fm_schema", err, errlen);
    if (!st)
        return -1;
    rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : fail(d, err, errlen, "reading fm_schema");
}

/* Create the schema when the file is empty; refuse a newer one. The
 * version is read again inside the write transaction: two processes may
 * open a new file at once. */
static int schema(struct fm_jdb *d, char *err, size_t errlen)
{
    int v = 0;
    if (schema_version(d, &v, err, errlen))
        return -1;
    if (v == FM_JOURNAL_SCHEMA_VERSION)
        return 0;
    if (v > FM_JOURNAL_SCHEMA_VERSION) {
        fm_err(err, errlen,
               "journal %s: schema version %d is newer than this fleetmod "
               "knows (%d); not touched: upgrade fleetmod",
               d->path, v, FM_JOURNAL_SCHEMA_VERSION);
        return -1;
    }
    if (exec(d, "BEGIN IMMEDIATE", err, errlen))
        return -1;
    if (schema_version(d, &v, err, errlen)) {
        rollback(d);
        return -1;
    }
    if ((v == 0 && exec(d, FM_SCHEMA_V1(FM_SCHEMA_SEQ_SQLITE), err, errlen)) ||
        (v < 2 && exec(d, FM_SCHEMA_MIGRATE_V1_V2, err, errlen)) ||
        (v < 3 && exec(d, FM_SCHEMA_MIGRATE_V2_V3, err, errlen)) ||
        (v < 4 && exec(d, FM_SCHEMA_MIGRATE_V3_V4, err, errlen))) {
        rollback(d);
        return -1;
    }
    return commit(d, err, errlen);
}

static void sq_close(struct fm_jdb *d)
{
    if (!d)
        return;
    sqlite3_close_v2(d->db);
    free(d->path);
    free(d->host_id);
    free(d);
}

static int sq_open(const char *url, const char *host_id,
                   const struct fm_journal_services *svc, struct fm_jdb **out,
                   char *err, size_t errlen)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) != 0 || url[7] == '\0') {
        fm_err(err, errlen, "journal url %s: expected sqlite:PATH", url);
        return -1;
    }
    struct fm_jdb *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(url + 7)) || !(d->host_id = strdup(host_id))) {
        sq_close(d);
        fm_err(err, errlen, "journal: out of memory");
        return -1;
    }
    d->svc = svc;
    /* NOMUTEX: libfleetmod serialises the calls on one connection. */
    int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(d->path, &d->db, flags, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(d->db, BUSY_TIMEOUT_MS) != SQLITE_OK ||
        sqlite3_extended_result_codes(d->db, 1) != SQLITE_OK) {
        fail(d, err, errlen, "open");
        sq_close(d);
        return -1;
    }
    /* A read-only file opens read-only: it is refused at the first write
     * (EREFUSED, reason journal), which is where a full disk shows too. */
    int ro = sqlite3_db_readonly(d->db, "main") == 1;
    if (schema(d, err, errlen) ||
        (!ro && exec(d, "PRAGMA journal_mode=WAL", err, errlen)) ||
        exec(d, "PRAGMA synchronous=FULL", err, errlen)) {
        sq_close(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* ---- writing ------------------------------------------------------------*/

/* Hashes are stored as 32-byte BLOBs (SQLite keeps a BLOB as it is, in
 * a TEXT column too): half the bytes of hex. A 64-digit hex text (the
 * form PostgreSQL stores) reads as well. 1: empty (prev_hash is not
 * stored: it is the previous event's hash); -1: damaged. */
static int col_hash(sqlite3_stmt *st, int i, uint8_t out[FM_JHASH_LEN])
{
    int n = sqlite3_column_bytes(st, i);
    const void *b = sqlite3_column_blob(st, i);
    memset(out, 0, FM_JHASH_LEN);
    if (n == FM_JHASH_LEN && b) {
        memcpy(out, b, FM_JHASH_LEN);
        return 0;
    }
    if (n == 0)
        return 1;
    return fm_junhex(col_text(st, i), out) ? -1 : 0;
}

static int last_hash(struct fm_jdb *d, uint8_t h[FM_JHASH_LEN], char *err,
                     size_t errlen)
{
    sqlite3_stmt *st = prep(d,
                            "SELECT hash FROM fm_events WHERE host_id=?1 "
                            "ORDER BY seq DESC LIMIT 1",
                            err, errlen);
    if (!st)
        return -1;
    bind_text(st, 1, d->host_id);
    int rc = sqlite3_step(st);
    memset(h, 0, FM_JHASH_LEN);
    if (rc == SQLITE_ROW && col_hash(st, 0, h)) {
        sqlite3_finalize(st);
        fm_err(err, errlen, "journal %s: the last event's hash is damaged",
               d->path);
        return -1;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? 0
               : fail(d, err, errlen, "reading the chain");
}

/* Chain ev onto h (the previous hash, updated) and insert it. */
static int insert_event(struct fm_jdb *d, sqlite3_stmt *st,
                        struct fm_jevent *ev, uint8_t h[FM_JHASH_LEN])
{
    ev->host_id = d->host_id;
    memcpy(ev->prev_hash, h, FM_JHASH_LEN);
    d->svc->hash(ev);
    memcpy(h, ev->hash, FM_JHASH_LEN);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    int i = 1;
    bind_text(st, i++, ev->host_id);
    bind_text(st, i++, ev->journal_id);
    sqlite3_bind_int64(st, i++, ev->at);
    bind_text(st, i++, ev->kind);
    bind_text(st, i++, fm_jstate_name(ev->state));
    bind_text(st, i++, ev->provider);
    bind_text(st, i++, ev->vin);
    bind_text(st, i++, ev->command);
    bind_text(st, i++, ev->requester);
    bind_text(st, i++, ev->reason);
    bind_text(st, i++, ev->request_id);
    bind_opt(st, i++, ev->deadline, ev->deadline != 0);
    bind_opt(st, i++, ev->rc, ev->rc >= 0);
    bind_text(st, i++, ev->error_name);
    bind_text(st, i++, ev->delivered);
    bind_opt(st, i++, ev->http_status, ev->http_status != 0);
    bind_text(st, i++, ev->provider_id);
    bind_opt(st, i++, ev->executed_at, ev->executed_at != 0);
    sqlite3_bind_int(st, i++, ev->late);
    bind_opt(st, i++, ev->latency_ms, ev->latency_ms >= 0);
    bind_text(st, i++, ev->note);
    bind_text(st, i++, ev->detail);
    /* prev_hash stays empty: it is the hash of the event before, which
     * verify recomputes the link from (a deleted or reordered event breaks
     * it all the same); what a journal per command costs stays under
     * 1 KiB. */
    sqlite3_bind_zeroblob(st, i++, 0);
    sqlite3_bind_blob(st, i++, ev->hash, FM_JHASH_LEN, SQLITE_TRANSIENT);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

#define INSERT_EVENT                                                           \
    "INSERT INTO fm_events (" FM_EVENT_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,"  \
    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

#define INSERT_COMMAND                                                         \
    "INSERT INTO fm_commands (journal_id, host_id, provider, vin, command,"    \
    " requester, reason, request_id, deadline, created_at, state, error_name," \
    " updated_at, writer_pid, writer_start, writer_boot) VALUES"               \
    " (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?10,?13,?14,?15)"

#define FIND_DUP                                                               \
    "SELECT journal_id, state, provider_id FROM fm_commands WHERE vin=?1"      \
    " AND command=?2 AND created_at>=?3 AND state IN " FM_SQL_LIVE_STATES      \
    " ORDER BY created_at DESC LIMIT 1"

#define COUNT_QUOTA                                                            \
    "SELECT count(*) FROM fm_commands WHERE provider=?1 AND created_at>=?2"    \
    " AND state<>'refused'"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static int find_dup(sqlite3_stmt *st, struct fm_jintent *it)
{
    sqlite3_reset(st);
    bind_text(st, 1, it->ev.vin);
    bind_text(st, 2, it->ev.command);
    sqlite3_bind_int64(st, 3, it->ev.at - it->dup_window);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        it->dup_found = true;
        copy(it->dup_id, sizeof it->dup_id, col_text(st, 0));
        copy(it->dup_state, sizeof it->dup_state, col_text(st, 1));
        copy(it->dup_provider_id, sizeof it->dup_provider_id, col_text(st, 2));
    }
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int over_quota(sqlite3_stmt *st, struct fm_jintent *it, bool *over)
{
    sqlite3_reset(st);
    bind_text(st, 1, it->ev.provider);
    sqlite3_bind_int64(st, 2, it->quota_since);
    if (sqlite3_step(st) != SQLITE_ROW)
        return -1;
    *over = sqlite3_column_int64(st, 0) >= it->quota;
    return 0;
}

static void refuse(struct fm_jintent *it, const char *why, const char *name)
{
    it->refused = why;
    it->ev.kind = "refused";
    it->ev.state = FM_J_REFUSED;
    it->ev.note = why;
    it->ev.error_name = name;
}

/* Decide one item (duplicate, refuse, quota) and write it. */
static int one_intent(struct fm_jdb *d, sqlite3_stmt *const st[4],
                      struct fm_jintent *it, uint8_t h[FM_JHASH_LEN])
{
    it->dup_found = false;
    it->refused = NULL;
    if (it->dup != FM_JDUP_ALLOW && !it->refuse && find_dup(st[2], it))
        return -1;
    if (it->dup_found && it->dup == FM_JDUP_COALESCE)
        return 0;
    bool over = false;
    if (it->dup_found)
        refuse(it, "duplicate", "EREFUSED");
    else if (it->refuse)
        refuse(it, it->refuse, it->refuse_error);
    else if (it->quota >= 0 && over_quota(st[3], it, &over))
        return -1;
    if (over)
        refuse(it, "quota", "ERATELIMIT");
    struct fm_jevent *e = &it->ev;
    sqlite3_stmt *c = st[1];
    sqlite3_reset(c);
    bind_text(c, 1, e->journal_id);
    bind_text(c, 2, d->host_id);
    bind_text(c, 3, e->provider);
    bind_text(c, 4, e->vin);
    bind_text(c, 5, e->command);
    bind_text(c, 6, e->requester);
    bind_text(c, 7, e->reason);
    bind_text(c, 8, e->request_id);
    bind_opt(c, 9, e->deadline, e->deadline != 0);
    sqlite3_bind_int64(c, 10, e->at);
    bind_text(c, 11, fm_jstate_name(e->state));
    bind_text(c, 12, e->error_name);
    bind_opt(c, 13, it->writer.pid, it->writer.pid > 0);
    bind_opt(c, 14, it->writer.start, it->writer.pid > 0);
    bind_text(c, 15, it->writer.boot[0] ? it->writer.boot : NULL);
    if (sqlite3_step(c) != SQLITE_DONE)
        return -1;
    return insert_event(d, st[0], e, h);
}

static void finalize_all(sqlite3_stmt **st, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sqlite3_finalize(st[i]);
}

static int sq_intents(struct fm_jdb *d, struct fm_jintent *items, size_t n,
                      char *err, size_t errlen)
{
    sqlite3_stmt *st[4] = {0};
    uint8_t h[FM_JHASH_LEN];
    if (exec(d, "BEGIN IMMEDIATE", err, errlen))
        return -1;
    const char *sql[4] = {INSERT_EVENT, INSERT_COMMAND, FIND_DUP, COUNT_QUOTA};
    int bad = 0;
    for (size_t i = 0; i < 4 && !bad; i++)
        bad = !(st[i] = prep(d, sql[i], err, errlen));
    if (!bad)
        bad = last_hash(d, h, err, errlen);
    for (size_t i = 0; i < n && !bad; i++) {
        if (one_intent(d, st, &items[i], h))
            bad = fail(d, err, errlen, "writing an intent");
    }
    finalize_all(st, 4);
    if (bad) {
        rollback(d);
        return -1;
    }
    return commit(d, err, errlen);
}

#define APPLY_EVENT                                                            \
    "UPDATE fm_commands SET state=coalesce(?2,state), rc=coalesce(?3,rc),"     \
    " error_name=coalesce(?4,error_name), delivered=coalesce(?5,delivered),"   \
    " http_status=coalesce(?6,http_status),"                                   \
    " provider_id=coalesce(?7,provider_id),"                                   \
    " executed_at=coalesce(executed_at,?8), late=max(late,?9),"                \
    " latency_ms=coalesce(?10,latency_ms), updated_at=?11,"                    \
    " sent_at=coalesce(sent_at, CASE WHEN ?2 IN ('sent','confirmation',"       \
    "'pending','success','error') THEN ?11 END) WHERE journal_id=?1"

static int apply_event(sqlite3_stmt *st, const struct fm_jevent *e)
{
    sqlite3_reset(st);
    bind_text(st, 1, e->journal_id);
    bind_text(st, 2, fm_jstate_name(e->state));
    bind_opt(st, 3, e->rc, e->rc >= 0);
    bind_text(st, 4, e->error_name);
    bind_text(st, 5, e->delivered);
    bind_opt(st, 6, e->http_status, e->http_status != 0);
    bind_text(st, 7, e->provider_id);
    bind_opt(st, 8, e->executed_at, e->executed_at != 0);
    sqlite3_bind_int(st, 9, e->late);
    bind_opt(st, 10, e->latency_ms, e->latency_ms >= 0);
    sqlite3_bind_int64(st, 11, e->at);
    return sqlite3_step(st) == SQLITE_DONE &&
                   sqlite3_changes(sqlite3_db_handle(st)) == 1
               ? 0
               : -1;
}

static int sq_append(struct fm_jdb *d, struct fm_jevent *evs, size_t n,
                     char *err, size_t errlen)
{
    sqlite3_stmt *st[2] = {0};
    uint8_t h[FM_JHASH_LEN];
    if (exec(d, "BEGIN IMMEDIATE", err, errlen))
        return -1;
    int bad = !(st[0] = prep(d, INSERT_EVENT, err, errlen)) ||
              !(st[1] = prep(d, APPLY_EVENT, err, errlen)) ||
              last_hash(d, h, err, errlen);
    for (size_t i = 0; i < n && !bad; i++) {
        if (apply_event(st[1], &evs[i]) || insert_event(d, st[0], &evs[i], h))
            bad = fail(d, err, errlen, "writing an event");
    }
    finalize_all(st, 2);
    if (bad) {
        rollback(d);
        return -1;
    }
    return commit(d, err, errlen);
}

/* ---- reading ------------------------------------------------------------*/

static int sq_quota_used(struct fm_jdb *d, const char *provider, int64_t since,
                         int64_t *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep(d, COUNT_QUOTA, err, errlen);
    if (!st)
        return -1;
    bind_text(st, 1, provider);
    sqlite3_bind_int64(st, 2, since);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : fail(d, err, errlen, "counting the quota");
}

#define ROW_COLUMNS                                                            \
    "journal_id, host_id, provider, vin, command, requester, reason,"          \
    " request_id, provider_id, state, error_name, delivered, rc, deadline,"    \
    " created_at, sent_at, updated_at, executed_at, late, latency_ms,"         \
    " writer_pid, writer_start, writer_boot"

static void read_row(sqlite3_stmt *st, struct fm_jrow *r)
{
    const char **s[] = {&r->journal_id, &r->host_id,    &r->provider,
                        &r->vin,        &r->command,    &r->requester,
                        &r->reason,     &r->request_id, &r->provider_id,
                        &r->state,      &r->error_name, &r->delivered};
    for (int i = 0; i < 12; i++)
        *s[i] = col_text(st, i);
    r->rc = (int)col_int(st, 12, -1);
    r->deadline = col_int(st, 13, 0);
    r->created_at = col_int(st, 14, 0);
    r->sent_at = col_int(st, 15, 0);
    r->updated_at = col_int(st, 16, 0);
    r->executed_at = col_int(st, 17, 0);
    r->late = col_int(st, 18, 0) != 0;
    r->latency_ms = col_int(st, 19, -1);
    r->writer.pid = col_int(st, 20, 0);
    r->writer.start = col_int(st, 21, 0);
    copy(r->writer.boot, sizeof r->writer.boot, col_text(st, 22));
}

/* Step st to the end, calling each(st) per row. */
static int walk(struct fm_jdb *d, sqlite3_stmt *st,
                int (*each)(sqlite3_stmt *, void *), void *ctx, char *err,
                size_t errlen)
{
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = each(st, ctx);
    if (!stop && rc != SQLITE_DONE)
        stop = fail(d, err, errlen, "reading");
    sqlite3_finalize(st);
    return stop;
}

struct cb {
    void *fn;
    void *user;
};

static int each_row(sqlite3_stmt *st, void *ctx)
{
    struct cb *c = ctx;
    struct fm_jrow r;
    read_row(st, &r);
    return ((fm_jrow_fn)c->fn)(c->user, &r);
}

/* Only the filters given go into the SQL, so that each query can use its
 * index (an "?1 IS NULL OR col=?1" term defeats SQLite's planner). */
static int sq_list(struct fm_jdb *d, const struct fm_jquery *q, fm_jrow_fn fn,
                   void *user, char *err, size_t errlen)
{
    const char *cols[] = {"journal_id", "vin", "provider", "provider_id"};
    const char *vals[] = {q->journal_id, q->vin, q->provider, q->provider_id};
    char sql[1024];
    size_t n = (size_t)snprintf(sql, sizeof sql,
                                "SELECT " ROW_COLUMNS " FROM fm_commands "
                                "WHERE created_at>=?1");
    for (int i = 0; i < 4; i++) {
        if (vals[i])
            n += (size_t)snprintf(sql + n, sizeof sql - n, " AND %s=?%d",
                                  cols[i], i + 2);
    }
    snprintf(sql + n, sizeof sql - n,
             "%s%s ORDER BY created_at DESC, journal_id DESC LIMIT ?6",
             q->unresolved ? " AND state IN " FM_SQL_LIVE_STATES : "",
             q->open ? " AND " FM_SQL_UNRESOLVED : "");
    sqlite3_stmt *st = prep(d, sql, err, errlen);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, q->since);
    for (int i = 0; i < 4; i++) {
        if (vals[i])
            bind_text(st, i + 2, vals[i]);
    }
    sqlite3_bind_int64(st, 6, q->limit ? (int64_t)q->limit : -1);
    struct cb c = {(void *)fn, user};
    return walk(d, st, each_row, &c, err, errlen);
}

static int each_event(sqlite3_stmt *st, void *ctx)
{
    struct cb *c = ctx;
    struct fm_jevent e = {.seq = sqlite3_column_int64(st, 0)};
    const char *state;
    int i = 1;
    e.host_id = col_text(st, i++);
    e.journal_id = col_text(st, i++);
    e.at = col_int(st, i++, 0);
    e.kind = col_text(st, i++);
    state = col_text(st, i++);
    e.state = -1;
    for (int s = 0; state && s < FM_J_STATE_COUNT; s++) {
        if (strcmp(state, fm_jstate_name(s)) == 0)
            e.state = s;
    }
    const char **str[] = {&e.provider,  &e.vin,    &e.command,
                          &e.requester, &e.reason, &e.request_id};
    for (int k = 0; k < 6; k++)
        *str[k] = col_text(st, i++);
    e.deadline = col_int(st, i++, 0);
    e.rc = (int)col_int(st, i++, -1);
    e.error_name = col_text(st, i++);
    e.delivered = col_text(st, i++);
    e.http_status = (int)col_int(st, i++, 0);
    e.provider_id = col_text(st, i++);
    e.executed_at = col_int(st, i++, 0);
    e.late = col_int(st, i++, 0) != 0;
    e.latency_ms = col_int(st, i++, -1);
    e.note = col_text(st, i++);
    e.detail = col_text(st, i++);
    /* A damaged hash reads as all ones: it never matches, so verify names
     * the event. An empty prev_hash reads as zeros (not stored). */
    if (col_hash(st, i++, e.prev_hash) < 0)
        memset(e.prev_hash, 0xff, FM_JHASH_LEN);
    if (col_hash(st, i++, e.hash))
        memset(e.hash, 0xff, FM_JHASH_LEN);
    return ((fm_jevent_fn)c->fn)(c->user, &e);
}

static int sq_events(struct fm_jdb *d, const char *journal_id, fm_jevent_fn fn,
                     void *user, char *err, size_t errlen)
{
    sqlite3_stmt *st =
        prep(d,
             journal_id ? "SELECT seq, " FM_EVENT_COLUMNS
                          " FROM fm_events WHERE journal_id=?1 ORDER BY seq"
                        : "SELECT seq, " FM_EVENT_COLUMNS
                          " FROM fm_events ORDER BY host_id, seq",
             err, errlen);
    if (!st)
        return -1;
    if (journal_id)
        bind_text(st, 1, journal_id);
    struct cb c = {(void *)fn, user};
    return walk(d, st, each_event, &c, err, errlen);
}

static int each_count(sqlite3_stmt *st, void *ctx)
{
    struct cb *c = ctx;
    struct fm_jcount k = {col_text(st, 0), col_text(st, 1), col_text(st, 2),
                          sqlite3_column_int64(st, 3),
                          sqlite3_column_int64(st, 4)};
    return ((fm_jcount_fn)c->fn)(c->user, &k);
}

static int sq_counts(struct fm_jdb *d, int64_t since, fm_jcount_fn fn,
                     void *user, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep(d,
                            "SELECT provider, command, state, count(*), "
                            "sum(" FM_SQL_UNRESOLVED ") FROM "
                            "fm_commands WHERE created_at>=?1 GROUP BY "
                            "provider, command, state ORDER BY 1, 2, 3",
                            err, errlen);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    struct cb c = {(void *)fn, user};
    return walk(d, st, each_count, &c, err, errlen);
}

static int each_value(sqlite3_stmt *st, void *ctx)
{
    struct cb *c = ctx;
    return ((fm_jvalue_fn)c->fn)(c->user, col_text(st, 0), col_text(st, 1),
                                 sqlite3_column_int64(st, 2));
}

static int sq_latencies(struct fm_jdb *d, int64_t since, bool executed,
                        fm_jvalue_fn fn, void *user, char *err, size_t errlen)
{
    /* +created_at: a scan of the table, in file order. Through the
     * created_at index every row would be a random read: ten times slower
     * over a million rows, which is most of them. */
    sqlite3_stmt *st = prep(
        d,
        executed ? "SELECT provider, command, executed_at-created_at FROM "
                   "fm_commands WHERE +created_at>=?1 AND executed_at IS NOT "
                   "NULL"
                 : "SELECT provider, command, latency_ms FROM fm_commands "
                   "WHERE +created_at>=?1 AND latency_ms IS NOT NULL",
        err, errlen);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    struct cb c = {(void *)fn, user};
    return walk(d, st, each_value, &c, err, errlen);
}

/* ---- retention ----------------------------------------------------------*/

/* The chain is cut as a prefix: this host's events up to the last one
 * before the first event at or after `before`, so what stays is one
 * unbroken chain whose first prev_hash is the anchor the pruned event
 * records. Commands of this host created before `before` go with them. */
static int sq_prune(struct fm_jdb *d, int64_t before, int64_t *n, char *err,
                    size_t errlen)
{
    *n = 0;
    uint8_t h[FM_JHASH_LEN];
    /* The pruned event chains onto the chain's real last event, which may
     * itself be pruned. */
    if (exec(d, "BEGIN IMMEDIATE", err, errlen))
        return -1;
    if (last_hash(d, h, err, errlen)) {
        rollback(d);
        return -1;
    }
    sqlite3_stmt *cut = prep(
        d,
        "SELECT seq, hash FROM fm_events WHERE host_id=?1 AND seq < coalesce("
        "(SELECT min(seq) FROM fm_events WHERE host_id=?1 AND at>=?2),"
        " 9223372036854775807) ORDER BY seq DESC LIMIT 1",
        err, errlen);
    int bad = !cut;
    int64_t seq = -1;
    char anchor[2 * FM_JHASH_LEN + 1] = "";
    if (!bad) {
        bind_text(cut, 1, d->host_id);
        sqlite3_bind_int64(cut, 2, before);
        if (sqlite3_step(cut) == SQLITE_ROW) {
            seq = sqlite3_column_int64(cut, 0);
            uint8_t a[FM_JHASH_LEN];
            if (!col_hash(cut, 1, a))
                fm_jhex(a, anchor);
        }
        sqlite3_finalize(cut);
    }
    if (bad || seq < 0) {
        rollback(d);
        return bad ? -1 : 0;
    }
    char sql[256];
    sqlite3_stmt *del =
        prep(d, "DELETE FROM fm_commands WHERE host_id=?1 AND created_at<?2",
             err, errlen);
    if (del) {
        bind_text(del, 1, d->host_id);
        sqlite3_bind_int64(del, 2, before);
        bad = sqlite3_step(del) != SQLITE_DONE;
        *n = sqlite3_changes(d->db);
        sqlite3_finalize(del);
    }
    snprintf(sql, sizeof sql,
             "DELETE FROM fm_events WHERE host_id=?1 AND seq<=%lld",
             (long long)seq);
    del = bad || !del ? NULL : prep(d, sql, err, errlen);
    if (del) {
        bind_text(del, 1, d->host_id);
        bad = sqlite3_step(del) != SQLITE_DONE;
        sqlite3_finalize(del);
    }
    char note[160];
    snprintf(note, sizeof note, "%lld commands before %lld; anchor %s",
             (long long)*n, (long long)before, anchor);
    struct fm_jevent ev = {.kind = "pruned",
                           .at = time(NULL),
                           .state = -1,
                           .rc = -1,
                           .latency_ms = -1,
                           .note = note};
    sqlite3_stmt *ins = bad || !del ? NULL : prep(d, INSERT_EVENT, err, errlen);
    bad = bad || !ins || insert_event(d, ins, &ev, h);
    sqlite3_finalize(ins);
    if (bad) {
        fail(d, err, errlen, "pruning");
        rollback(d);
        return -1;
    }
    return commit(d, err, errlen);
}

void fm_sq_parts(struct fm_jdb *d, sqlite3 **db, const char **path,
                 const char **host_id)
{
    *db = d->db;
    *path = d->path;
    *host_id = d->host_id;
}

static const struct fm_journal_backend table = {
    .struct_size = sizeof table,
    .version = FM_JOURNAL_BACKEND_VERSION,
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .intents = sq_intents,
    .append = sq_append,
    .quota_used = sq_quota_used,
    .list = sq_list,
    .events = sq_events,
    .counts = sq_counts,
    .latencies = sq_latencies,
    .prune = sq_prune,
    .idem_begin = fm_sq_idem_begin,
    .idem_finish = fm_sq_idem_finish,
    .outbox_add = fm_sq_outbox_add,
    .outbox_due = fm_sq_outbox_due,
    .outbox_result = fm_sq_outbox_result,
    .outbox_stat = fm_sq_outbox_stat,
};

const struct fm_journal_backend *fm_journal_sqlite(void)
{
    return &table;
}
