/*
 * journal/backend.h - the storage interface of the command journal
 * (fleetmod-journal(7)), internal to fleetmod.
 *
 * Two backends implement it:
 *   - SQLite (journal/sqlite.c), linked into libfleetmod; url "sqlite:PATH".
 *   - PostgreSQL, a separate journal_pg.so that libfleetmod loads on demand
 *     (dlopen, RTLD_NOW | RTLD_LOCAL) from the module search path, then
 *     LIBDIR/fleetmod, for url "postgresql://..." or "postgres://...". It
 *     exports one symbol, FM_JOURNAL_PG_SYMBOL, a function returning its
 *     table. libfleetmod itself never links libpq.
 *
 * The guard (journal/guard.c) decides; a backend only stores. Everything a
 * backend must get exactly right is listed per function below.
 *
 * Growth: like module.h's table, struct fm_journal_backend only grows at
 * its end; libfleetmod reads a member only when it lies inside the
 * backend's struct_size. version is FM_JOURNAL_BACKEND_VERSION as the
 * backend was compiled; a backend of another version is refused at load.
 *
 * Data model (schema.h holds the SQL text both backends use):
 *   fm_schema    one row: the schema version. A database whose version is
 *                newer than the backend knows is refused by open, untouched.
 *   fm_events    THE RECORD. Append-only: one row per thing that happened
 *                to a command (intent, refused, outcome, status, reconcile,
 *                confirm) plus "pruned" rows. Each row carries hash =
 *                SHA-256(prev_hash || canonical bytes), chained per
 *                host_id (services->hash, below); prev_hash, the hash of
 *                the event before, may be stored (PostgreSQL) or left
 *                empty (SQLite) and read back as zeros: verify does not
 *                need it. Never updated; rows
 *                are deleted only by prune, which appends a "pruned" event
 *                saying how many and up to where.
 *   fm_commands  one row per command: its intent (never changed) and its
 *                current state, a materialised summary of its events kept
 *                in the same transaction as each event, so that duplicate
 *                checks, quota counts, listing and stats read one indexed
 *                table. It holds nothing that is not in fm_events but the
 *                intent's writer (struct fm_jwriter, since schema 3),
 *                which only reconcile reads and the chain does not cover.
 *   fleetmod_commands  the public, stable view over fm_commands with
 *                exactly fleetmod-journal(7)'s columns.
 *
 * Errors: every function returns 0 on success and -1 on failure with one
 * line in err (errlen bytes, err never NULL) that names the journal (never
 * a password from the url) and what failed. A failure inside a write
 * function leaves NOTHING of that call in the database (the transaction is
 * rolled back); the caller then treats the command as not journaled.
 *
 * Memory: the backend copies what it keeps; every pointer passed in is the
 * caller's and valid only during the call. Pointers in rows handed to a
 * callback are the backend's and valid only during that callback.
 *
 * Threads: libfleetmod serialises all calls on one struct fm_jdb with its
 * own mutex, so a backend need not be thread-safe per connection; distinct
 * connections (also in other processes or machines) run concurrently and
 * the backend's transactions make them safe against each other.
 * Fork: a connection belongs to the process that opened it; a child opens
 * its own (libfleetmod never uses a parent's connection in a child, and
 * never closes it there either).
 */
#ifndef FM_JOURNAL_BACKEND_H
#define FM_JOURNAL_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FM_JOURNAL_BACKEND_VERSION 3 /* 2: struct fm_jwriter; 3: open */
#define FM_JOURNAL_PG_SYMBOL "fleetmod_journal_backend_pg"
#define FM_JOURNAL_PG_FILE "journal_pg.so"

/* The schema version this source tree writes (schema.h). */
#define FM_JOURNAL_SCHEMA_VERSION 4

/* A backend's open connection; each backend defines it. */
struct fm_jdb;

/* SHA-256. */
#define FM_JHASH_LEN 32

/* The states of fleetmod-journal(7)'s view, in this order; fm_jstate_name gives
 * the word stored in the database. */
enum fm_jstate {
    FM_J_REFUSED,
    FM_J_SENDING,
    FM_J_SENT,
    FM_J_CONFIRMATION,
    FM_J_PENDING,
    FM_J_SUCCESS,
    FM_J_ERROR,
    FM_J_FAILED,
    FM_J_UNKNOWN,
    FM_J_STATE_COUNT
};

/* What the duplicate guard does when it finds a live row
 * (fleetmod-policy(5), duplicate). */
enum fm_jdup { FM_JDUP_ALLOW, FM_JDUP_REJECT, FM_JDUP_COALESCE };

/*
 * One event: a row of fm_events. Strings may be NULL (stored as NULL,
 * hashed as absent); integers use 0 for "none" except where said.
 * An "intent" event also carries the command's fixed fields (provider ..
 * created_at), which go into fm_commands; other events leave them NULL/0
 * and are matched to their command by journal_id.
 */
struct fm_jevent {
    int64_t seq;            /* set by the backend (read side only) */
    const char *host_id;    /* the chain it belongs to */
    const char *journal_id; /* the command; NULL only for "pruned" */
    int64_t at;             /* epoch seconds */
    const char *kind;       /* intent refused outcome status confirm
                               reconcile pruned */
    int state;              /* enum fm_jstate, or -1: no change */
    /* The command's fixed fields (intent and refused events). */
    const char *provider, *vin, *command, *requester, *reason, *request_id;
    int64_t deadline;
    /* The outcome fields (outcome, status, reconcile events). */
    int rc;                 /* -1: none */
    const char *error_name; /* "EDENIED"; also the refusal reason's guard */
    const char *delivered;  /* "no" "yes" "unknown" */
    int http_status;
    const char *provider_id;
    int64_t executed_at;
    bool late;
    int64_t latency_ms; /* the provider call's duration; -1: none */
    const char *note;   /* refusal reason ("duplicate"), pruned count */
    const char *detail; /* JSON text; NULL unless store_detail */
    uint8_t prev_hash[FM_JHASH_LEN];
    uint8_t hash[FM_JHASH_LEN];
};

/* What libfleetmod lends a backend at open; valid until close. */
struct fm_journal_services {
    uint32_t struct_size;
    /* Fills ev->hash from ev->prev_hash and ev's canonical bytes (every
     * field above except seq and hash, length-prefixed, in struct order).
     * A backend must call it for each event it appends, with prev_hash set
     * to the hash of the last event of ev->host_id's chain read INSIDE the
     * same transaction that appends it (zeros for a chain's first event). */
    void (*hash)(struct fm_jevent *ev);
};

/* The process that wrote an intent (writer.h): reconcile marks a row it
 * left "sending" unknown at once when that process is provably gone.
 * pid 0: not recorded (a row from before schema 3). */
struct fm_jwriter {
    int64_t pid;
    int64_t start; /* clock ticks after boot: field 22 of /proc/PID/stat */
    char boot[40]; /* /proc/sys/kernel/random/boot_id; "" unknown */
};

/* One intent of fm_journal_backend.intents. The backend decides, inside
 * its transaction and in this order: duplicate, then refuse, then quota. */
struct fm_jintent {
    struct fm_jevent ev; /* kind "intent", state sending, and the fixed
                            fields; the backend rewrites kind, state,
                            error_name and note when it refuses */
    enum fm_jdup dup;    /* the duplicate rule to apply */
    int64_t dup_window;  /* seconds */
    /* A refusal already decided by the caller (a guard before the
     * duplicate one: "expired", "requester", "reason"; or one after it
     * that runs in process: "rate", "provider_429", "breaker_open"), with
     * its error name; applied when no duplicate is found. NULL: none. */
    const char *refuse;
    const char *refuse_error;
    int64_t quota;       /* the provider's quota; -1: none */
    int64_t quota_since; /* count commands created at or after this */
    /* Out. dup_found: a live duplicate exists; its journal_id, state and
     * provider_id are copied here. With FM_JDUP_REJECT the item is written
     * as refused (note "duplicate"); with FM_JDUP_COALESCE nothing is
     * written for it. refused: the reason word when the item was written
     * as refused ("duplicate", the caller's refuse, or "quota"), else
     * NULL; a static string. */
    bool dup_found;
    char dup_id[64];
    char dup_state[16];
    char dup_provider_id[128];
    const char *refused;
    struct fm_jwriter writer; /* stored with the fm_commands row */
};

/* A row of the public view, as list and show return it. */
struct fm_jrow {
    const char *journal_id, *host_id, *provider, *vin, *command, *requester,
        *reason, *request_id, *provider_id, *state, *error_name, *delivered;
    int rc; /* -1: none yet */
    int64_t deadline, created_at, sent_at, updated_at, executed_at;
    bool late;
    int64_t latency_ms;       /* -1: none */
    struct fm_jwriter writer; /* who wrote the intent; not in the view */
};

/* Filters of list (all optional). */
struct fm_jquery {
    const char *journal_id; /* exactly this command */
    const char *vin;
    const char *provider;
    int64_t since;           /* created_at >= since; 0: all */
    bool unresolved;         /* state sending, sent, confirmation, pending or
                                unknown (FM_SQL_LIVE_STATES) */
    bool open;               /* FM_SQL_UNRESOLVED: the outcome may still be
                                learnt */
    size_t limit;            /* 0: no limit */
    const char *provider_id; /* the provider's command id (status calls
                                find their row by it; indexed) */
};

/* One group of stats: commands of provider+command in one state. */
struct fm_jcount {
    const char *provider, *command, *state;
    int64_t n;
    int64_t unresolved; /* of the n, those FM_SQL_UNRESOLVED */
};

typedef int (*fm_jrow_fn)(void *user, const struct fm_jrow *row);
typedef int (*fm_jevent_fn)(void *user, const struct fm_jevent *ev);
typedef int (*fm_jcount_fn)(void *user, const struct fm_jcount *c);
/* value: a latency (see latencies). */
typedef int (*fm_jvalue_fn)(void *user, const char *provider,
                            const char *command, int64_t value);

/* A callback returning non-zero stops the walk; the function then returns
 * that value (not -1) and err is untouched. */

struct fm_journal_backend {
    uint32_t struct_size;
    uint32_t version; /* FM_JOURNAL_BACKEND_VERSION */
    const char *name; /* "sqlite", "postgresql" */

    /*
     * Connect to url, create the schema when the database is empty, migrate
     * an older schema inside one transaction, and refuse (-1, err "schema
     * version N is newer than this fleetmod knows (M)") a newer one without
     * writing anything. SQLite: WAL, synchronous=FULL, a busy timeout; a
     * file that is not a database is an error, not overwritten.
     * host_id is the chain this connection appends to. On failure *out is
     * NULL and nothing needs closing.
     */
    int (*open)(const char *url, const char *host_id,
                const struct fm_journal_services *svc, struct fm_jdb **out,
                char *err, size_t errlen);
    /* Close; NULL ignored. Never called in a child on a parent's db. */
    void (*close)(struct fm_jdb *db);

    /*
     * Write n intents in ONE transaction, durably committed before it
     * returns 0. The transaction takes the write lock before reading
     * (SQLite: BEGIN IMMEDIATE; PostgreSQL: pg_advisory_xact_lock on the
     * hash of each distinct VIN, in sorted order), then for every item with
     * dup != FM_JDUP_ALLOW looks for a row of fm_commands with the same
     * vin and command, created_at >= ev.at - dup_window, whose state is
     * sending, sent, confirmation, pending or unknown; found: dup_found and
     * the copies are set and the item is not written. Items of one call
     * are checked against each other too (the second of two equal items is
     * a duplicate of the first). Then refuse, then quota (the count of
     * quota_used, inside the transaction, so that processes sharing the
     * journal share the quota exactly). Every item not coalesced inserts
     * its fm_commands row and its event (services->hash): state sending,
     * or refused with note = the reason. -1: nothing at all was written.
     */
    int (*intents)(struct fm_jdb *db, struct fm_jintent *items, size_t n,
                   char *err, size_t errlen);

    /*
     * Append n events (outcomes, statuses, confirms, reconciles) in ONE
     * transaction and apply each to its fm_commands row: state when
     * ev.state >= 0, and each non-empty outcome field (a later event never
     * clears a field an earlier one set; late only goes false -> true).
     * sent_at is set by the first event in state sent/confirmation/pending/
     * success/error; executed_at by the first that has one. An event whose
     * journal_id has no row is an error. -1: nothing was written.
     */
    int (*append)(struct fm_jdb *db, struct fm_jevent *evs, size_t n, char *err,
                  size_t errlen);

    /* The number of commands of provider whose intent was written at or
     * after since (refused ones not counted): the rolling quota. */
    int (*quota_used)(struct fm_jdb *db, const char *provider, int64_t since,
                      int64_t *out, char *err, size_t errlen);

    /* Rows of the view matching q, newest first (created_at, then
     * journal_id). */
    int (*list)(struct fm_jdb *db, const struct fm_jquery *q, fm_jrow_fn fn,
                void *user, char *err, size_t errlen);

    /* Events in chain order (seq ascending): of one command when
     * journal_id is not NULL, else every event of every host, grouped by
     * host_id (sorted), seq ascending within a host: the order verify
     * walks. */
    int (*events)(struct fm_jdb *db, const char *journal_id, fm_jevent_fn fn,
                  void *user, char *err, size_t errlen);

    /* Stats since (0: all). counts: one call per provider, command and
     * state (sorted). latencies: one call per command that has the value:
     * latency_ms (executed false) or executed_at - created_at in seconds
     * (executed true), in no particular order; libfleetmod groups them and
     * takes the percentiles itself (no ORDER BY over a million rows). */
    int (*counts)(struct fm_jdb *db, int64_t since, fm_jcount_fn fn, void *user,
                  char *err, size_t errlen);
    int (*latencies)(struct fm_jdb *db, int64_t since, bool executed,
                     fm_jvalue_fn fn, void *user, char *err, size_t errlen);

    /* Delete, in ONE transaction, the commands created before `before` and
     * their events, and append a "pruned" event (note "N commands before
     * T; anchor HEX" where anchor is the hash of the last deleted event of
     * this host) so that verify can start the remaining chain there. *n is
     * the number of commands deleted. */
    int (*prune)(struct fm_jdb *db, int64_t before, int64_t *n, char *err,
                 size_t errlen);

    /*
     * Since schema 2: what a long-running host keeps (fleetmod/service.h).
     * NULL in a backend that does not store them (libfleetmod then answers
     * ECONFIG). Tables fm_idem and fm_outbox (schema.h).
     *
     * idem_begin: in ONE write transaction (taken before reading), read
     * the claim (requester, key); none, or created before now - ttl_s:
     * (re)write it with fingerprint, created_at now, no answer, *state
     * FLEETMOD_IDEM_NEW. Else *state DONE (*http_status and *reply, a
     * malloc'd copy), BUSY (no answer yet) or MISMATCH (fingerprint
     * differs), nothing written. idem_finish: store the answer of the
     * claim; *found false when there is none.
     */
    int (*idem_begin)(struct fm_jdb *db, const char *requester, const char *key,
                      const char *fingerprint, int64_t now, int64_t ttl_s,
                      int *state, int *http_status, char **reply, char *err,
                      size_t errlen);
    int (*idem_finish)(struct fm_jdb *db, const char *requester,
                       const char *key, int http_status, const char *reply,
                       bool *found, char *err, size_t errlen);
    /*
     * The outbox of this connection's host_id. outbox_add: insert the
     * event due now unless its event_id exists (*added says which).
     * outbox_due: undelivered events with next_at <= now, by created_at
     * then event_id, at most limit (0: all). outbox_result: delivered, or
     * attempts + 1 and next_at; *found false for an unknown event_id.
     * outbox_stat: the count of undelivered events and the newest
     * created_at (0: none).
     */
    int (*outbox_add)(struct fm_jdb *db, const char *event_id, const char *body,
                      int64_t now, bool *added, char *err, size_t errlen);
    int (*outbox_due)(struct fm_jdb *db, int64_t now, size_t limit,
                      int (*fn)(void *user, const char *event_id,
                                const char *body, int64_t created_at,
                                int64_t next_at, int attempts),
                      void *user, char *err, size_t errlen);
    int (*outbox_result)(struct fm_jdb *db, const char *event_id,
                         bool delivered, int64_t now, int64_t next_at,
                         bool *found, char *err, size_t errlen);
    int (*outbox_stat)(struct fm_jdb *db, int64_t *backlog, int64_t *newest,
                       char *err, size_t errlen);
};

/* What journal_pg.so exports under FM_JOURNAL_PG_SYMBOL. */
typedef const struct fm_journal_backend *(*fm_journal_backend_fn)(void);

/* The words of enum fm_jstate, as stored. NULL for an unknown value. */
static inline const char *fm_jstate_name(int s)
{
    static const char *const names[FM_J_STATE_COUNT] = {
        "refused", "sending", "sent",   "confirmation", "pending",
        "success", "error",   "failed", "unknown"};
    return s >= 0 && s < FM_J_STATE_COUNT ? names[s] : 0;
}

#endif /* FM_JOURNAL_BACKEND_H */
