/*
 * fleetmod/guard.h - the command journal and its guards (fleetmod 1.1).
 * Included by fleetmod/host.h; the policy file is fleetmod-policy(5),
 * the journal's tables fleetmod-journal(7).
 *
 * A guard stands in front of a stack. A host calls it exactly like the
 * stack (same messages, same return codes, plus FLEETMOD_EREFUSED), and
 * the guard:
 *   - checks, for send and confirm, in this order: the deadline, the
 *     requester and reason, duplicates, the provider's breaker, its rate,
 *     its quota (and a provider's 429 Retry-After);
 *   - writes the command's intent to the journal and commits it durably
 *     BEFORE the stack is called; when that commit fails nothing is sent
 *     (FLEETMOD_EREFUSED, error.reason "journal");
 *   - records the outcome and every status it sees;
 *   - adds to every reply "journal" (the row's id), "deadline" when one
 *     applied, "duplicate" (true) when coalesced, "late" (true) on a
 *     status executed after the deadline.
 *
 * Requests may carry "deadline" (integer, seconds since the epoch),
 * "requester" and "reason" (strings); another type is FLEETMOD_EINVAL,
 * nothing sent.
 *
 * Refusals: FLEETMOD_EREFUSED with error.reason expired, requester,
 * reason, duplicate or journal; FLEETMOD_ERATELIMIT with rate, quota or
 * provider_429; FLEETMOD_EUNREACHABLE with breaker_open. All of them are
 * delivered "no": nothing reached a module. Rate-type refusals carry
 * error.retry_after_ms. A refused request is journaled as "refused"
 * (except a journal refusal, which could not be written).
 *
 * Threads: every function on one guard or journal may be called from any
 * number of threads at once, except close. Fork: a guard or journal
 * belongs to the process that opened it; a child gets FLEETMOD_EINTERNAL
 * from it (nothing is sent) and opens its own.
 */
#ifndef FLEETMOD_GUARD_H
#define FLEETMOD_GUARD_H

#include <fleetmod/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SYSCONFDIR "/fleetmod/policy.conf", the default policy file. */
const char *fleetmod_default_policy_path(void);

/* A one-provider stack: module (a name or path, searched like
 * fleetmod_open) with its config (NULL: the module's default), in a stack
 * whose one section is the module's name (the table's name, e.g.
 * "mobway"). Errors as fleetmod_open. */
fleetmod_rc fleetmod_stack_open_module(const char *module,
                                       const char *config_path,
                                       const struct fleetmod_host *host,
                                       struct fleetmod_stack **out, char *err,
                                       size_t errlen);

struct fleetmod_guard;

/* Read the policy file (NULL: fleetmod_default_policy_path()), open its
 * journal (creating or migrating the schema; a journal whose schema is
 * newer than this library, or a file that is not one, is refused and left
 * untouched), prune rows older than retention_days (recorded as an event),
 * and return a guard in front of stack, which must outlive the guard.
 * host may be NULL (no logging). FLEETMOD_ECONFIG with "FILE:LINE: what"
 * for the policy file, or naming the journal and why. */
fleetmod_rc fleetmod_guard_open(const char *policy_path,
                                struct fleetmod_stack *stack,
                                const struct fleetmod_host *host,
                                struct fleetmod_guard **out, char *err,
                                size_t errlen);

/* Like fleetmod_stack_send/confirm/status, through the guards and the
 * journal (see above). Exactly one reply map is written. A batch send
 * ("vins") checks each item on its own, writes all intents in one
 * transaction and all outcomes in one, and sends the items that pass in
 * one stack call; refused and coalesced items get their own result maps,
 * in request order (the call's rc is FLEETMOD_OK, as for a stack). When
 * the intents cannot be written, no item is sent and the whole call is
 * FLEETMOD_EREFUSED, reason journal. A confirm is journaled on the row of
 * the send that asked for it (the newest of its VIN and command waiting
 * for confirmation) and checked against that send's deadline. Status
 * calls record what they learn about journaled commands (found by the
 * provider's id) but are never refused; a status that learns nothing new
 * writes nothing. May block on the journal's lock (SQLite: at most 30 s,
 * then FLEETMOD_EREFUSED, reason journal) and on the stack's own bounds. */
fleetmod_rc fleetmod_guard_send(struct fleetmod_guard *g, const char *req,
                                size_t len, fleetmod_write_fn write,
                                void *sink);
fleetmod_rc fleetmod_guard_confirm(struct fleetmod_guard *g, const char *req,
                                   size_t len, fleetmod_write_fn write,
                                   void *sink);
fleetmod_rc fleetmod_guard_status(struct fleetmod_guard *g, const char *req,
                                  size_t len, fleetmod_write_fn write,
                                  void *sink);

/* Close the guard and its journal; does not close the stack. NULL is
 * ignored. Not concurrent with any other call on g. */
void fleetmod_guard_close(struct fleetmod_guard *g);

/* ------------------------------------------------------------------------
 * Reading the journal: what `fleetcmd journal` and `reconcile` show.
 */

struct fleetmod_journal;

/* Open the journal the policy file names, for reading and pruning only.
 * Errors as fleetmod_guard_open. */
fleetmod_rc fleetmod_journal_open(const char *policy_path,
                                  const struct fleetmod_host *host,
                                  struct fleetmod_journal **out, char *err,
                                  size_t errlen);
/* The guard's own journal; lives as long as the guard. */
struct fleetmod_journal *fleetmod_guard_journal(struct fleetmod_guard *g);
/* NULL is ignored. Never call it on a guard's journal. */
void fleetmod_journal_close(struct fleetmod_journal *j);

/* One command: a row of the view fleetmod_commands. Strings are NULL when
 * unset; times are epoch seconds, 0 when unset. Valid during the
 * callback only. */
struct fleetmod_journal_row {
    uint32_t struct_size;
    const char *journal_id, *host_id, *provider, *vin, *command, *requester,
        *reason, *request_id, *provider_id;
    const char *state; /* refused sending sent confirmation pending success
                          error failed unknown */
    int rc;            /* -1: no outcome yet */
    const char *error_name, *delivered;
    int64_t deadline, created_at, sent_at, updated_at, executed_at;
    bool late;
    int64_t latency_ms; /* the provider call; -1: unknown */
};

/* Caller-allocated structs below start with struct_size, which the
 * caller sets to sizeof the struct as it was compiled; the library reads
 * and writes only members inside it (module.h's FLEETMOD_HAS_MEMBER), so
 * members appended later break nobody. A struct_size smaller than the 1.1
 * struct is FLEETMOD_EINVAL. */
struct fleetmod_journal_filter {
    uint32_t struct_size;
    const char *vin; /* NULL: any */
    int64_t since;   /* created at or after; 0: any */
    /* only the commands whose outcome may still be learnt: sending, sent,
     * confirmation, pending, and unknown ones that have the provider's id
     * (reconcile can ask). An unknown command without an id is settled:
     * nothing can tell more; the duplicate guard still counts it. */
    bool unresolved;
    size_t limit; /* 0: no limit */
};

/* Return non-zero to stop; the function then returns FLEETMOD_OK. */
typedef int (*fleetmod_journal_row_fn)(void *user,
                                       const struct fleetmod_journal_row *r);

/* Commands matching f (NULL: all), newest first. */
fleetmod_rc fleetmod_journal_list(struct fleetmod_journal *j,
                                  const struct fleetmod_journal_filter *f,
                                  fleetmod_journal_row_fn fn, void *user,
                                  char *err, size_t errlen);

/* One event of a command's history (an append-only journal row). */
struct fleetmod_journal_event {
    uint32_t struct_size;
    int64_t seq;
    const char *host_id, *journal_id;
    int64_t at;
    const char *kind;  /* intent refused outcome status confirm reconcile
                          pruned */
    const char *state; /* NULL: unchanged */
    int rc;            /* -1: none */
    const char *error_name, *delivered, *provider_id, *note, *detail;
    int http_status;
    int64_t executed_at;
    bool late;
    const char *hash; /* hex SHA-256 */
};

typedef int (*fleetmod_journal_event_fn)(
    void *user, const struct fleetmod_journal_event *e);

/* The command journal_id (row_fn once) and its events in order (event_fn
 * per event). FLEETMOD_ENOTFOUND when there is no such command. */
fleetmod_rc fleetmod_journal_show(struct fleetmod_journal *j,
                                  const char *journal_id,
                                  fleetmod_journal_row_fn row_fn,
                                  fleetmod_journal_event_fn event_fn,
                                  void *user, char *err, size_t errlen);

/* The result of walking every host's chain. */
struct fleetmod_journal_verdict {
    uint32_t struct_size;
    uint64_t events;
    uint64_t chains;
    bool intact;
    /* When not intact: the first event that does not match. */
    int64_t bad_seq;
    char bad_host[128];
    char bad_journal_id[64];
    char why[160];
};

/* Recompute every event's hash (SHA-256 over the previous hash of its
 * host's chain and the event's canonical bytes) and check the links.
 * FLEETMOD_OK when the walk completed (see out->intact), else an rc and
 * err. */
fleetmod_rc fleetmod_journal_verify(struct fleetmod_journal *j,
                                    struct fleetmod_journal_verdict *out,
                                    char *err, size_t errlen);

/* Stats of one provider and command. */
#define FLEETMOD_JOURNAL_STATES 9
struct fleetmod_journal_stat {
    uint32_t struct_size; /* set by the library */
    const char *provider, *command;
    /* Commands in each state, indexed like fleetmod_journal_state_name. */
    int64_t by_state[FLEETMOD_JOURNAL_STATES];
    int64_t total, unresolved;
    /* Provider call latency in ms and created-to-executed in s; -1 when
     * there is no sample. */
    int64_t call_p50_ms, call_p95_ms, executed_p50_s, executed_p95_s;
    /* The provider's rolling 24 h quota (-1: none) and what of it is used
     * now (every command of the provider, not just this one). */
    int64_t quota, quota_used;
};

/* "refused", "sending", ... for i < FLEETMOD_JOURNAL_STATES, else NULL. */
const char *fleetmod_journal_state_name(int i);

typedef int (*fleetmod_journal_stat_fn)(void *user,
                                        const struct fleetmod_journal_stat *s);

/* Stats over commands created at or after since (0: all), one call per
 * provider and command, sorted. One pass over the commands table: a
 * million commands take well under 2 s on a laptop. */
fleetmod_rc fleetmod_journal_stats(struct fleetmod_journal *j, int64_t since,
                                   fleetmod_journal_stat_fn fn, void *user,
                                   char *err, size_t errlen);

/* Delete this host's commands and events older than the policy's
 * retention_days (nothing when 0), and record it as a "pruned" event.
 * *pruned: the commands deleted (may be NULL). */
fleetmod_rc fleetmod_journal_prune(struct fleetmod_journal *j, int64_t *pruned,
                                   char *err, size_t errlen);

struct fleetmod_reconcile_result {
    uint32_t struct_size;
    size_t asked;    /* rows asked about through the stack's status */
    size_t resolved; /* of those, rows whose state changed */
    size_t unknown;  /* rows without a provider id marked unknown */
    size_t failed;   /* status calls that failed (the rows stay) */
};

/* Settle the journal: every unresolved or non-terminal row with a
 * provider id is asked about through the stack's status (with wait_ms,
 * 0: one look) and the answer recorded; every row still "sending"
 * without a provider id is marked "unknown" (delivered "unknown") once
 * older than max_call_s (the provider call's bound), or at once when the
 * process that wrote it (same host_id, same boot; its pid and start time)
 * is gone. Never sends a command. */
fleetmod_rc fleetmod_guard_reconcile(struct fleetmod_guard *g, uint64_t wait_ms,
                                     int64_t max_call_s,
                                     struct fleetmod_reconcile_result *out,
                                     char *err, size_t errlen);

/* Adopt a dead machine's commands (since 1.1): settle only the rows
 * journaled under host_id, another machine sharing this journal that is
 * down for good. Its rows with a provider id are asked about as
 * fleetmod_guard_reconcile asks; its rows still "sending" without one are
 * marked "unknown" at once, without the call's bound or a writer check
 * (neither can be proven from here): the caller asserts that no process
 * of that machine is running. Call it only for a machine that is down; on
 * a live one a command being sent would be marked "unknown" (it may have
 * run, which stays true) before its answer is recorded. FLEETMOD_EINVAL,
 * with err, when host_id is NULL, empty or this guard's own host_id. The
 * other machine's rows keep their host_id; the events are appended to
 * this guard's chain. Never sends a command. */
fleetmod_rc fleetmod_guard_reconcile_host(struct fleetmod_guard *g,
                                          const char *host_id, uint64_t wait_ms,
                                          struct fleetmod_reconcile_result *out,
                                          char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* FLEETMOD_GUARD_H */
