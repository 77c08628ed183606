/*
 * fleetmod/service.h - what a long-running host keeps in the command
 * journal besides commands (since 1.1): idempotency keys and an outbox of
 * events to deliver. fleetmodd(8) is the host that uses them.
 *
 * Both live in the journal the policy names (fleetmod/guard.h), behind
 * the same backends: on SQLite every process of the machine shares them,
 * on PostgreSQL every machine of the journal does. A backend that cannot
 * store them answers FLEETMOD_ECONFIG with a sentence saying so.
 *
 * Nothing secret goes in: a caller strips confirmation codes from what it
 * stores (fleetmodd does), as the journal itself never stores them.
 *
 * Threads: like the rest of the journal API, any function may be called
 * from any number of threads on one journal at once.
 */
#ifndef FLEETMOD_SERVICE_H
#define FLEETMOD_SERVICE_H

#include <fleetmod/guard.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The host_id this journal appends to (the policy's [journal] host_id, or
 * the host name). Lives as long as j. */
const char *fleetmod_journal_host_id(const struct fleetmod_journal *j);

/* ------------------------------------------------------------------------
 * Idempotency keys: "the same key and requester within ttl answer the
 * first call's reply again and send nothing; the same key with another
 * request is refused".
 */

enum fleetmod_idem_state {
    FLEETMOD_IDEM_NEW = 0,     /* claimed now: make the call, then finish */
    FLEETMOD_IDEM_DONE = 1,    /* answered before: http_status and reply */
    FLEETMOD_IDEM_BUSY = 2,    /* claimed, never finished: a call in flight,
                                  or its process stopped during it */
    FLEETMOD_IDEM_MISMATCH = 3 /* claimed with another fingerprint */
};

struct fleetmod_idem {
    uint32_t struct_size; /* the caller's sizeof (see guard.h) */
    int state;            /* enum fleetmod_idem_state */
    int http_status;      /* DONE: the first answer's status */
    char *reply;          /* DONE: the first answer's body (malloc'd; the
                             caller frees it), else NULL */
};

/* Claim (requester, key) with fingerprint (any text that identifies the
 * request, e.g. a hash of method, path and body), atomically across every
 * process and machine of the journal. A claim older than ttl_s seconds is
 * forgotten and claimed anew. requester, key and fingerprint are
 * non-empty strings, key at most 255 bytes: else FLEETMOD_EINVAL. On
 * FLEETMOD_OK, out says what was found. */
fleetmod_rc fleetmod_journal_idem_begin(struct fleetmod_journal *j,
                                        const char *requester, const char *key,
                                        const char *fingerprint, int64_t ttl_s,
                                        struct fleetmod_idem *out, char *err,
                                        size_t errlen);

/* Record the answer of a claim made by idem_begin (state NEW): later
 * begins with the same fingerprint get DONE with http_status and reply.
 * FLEETMOD_ENOTFOUND when there is no such claim. */
fleetmod_rc fleetmod_journal_idem_finish(struct fleetmod_journal *j,
                                         const char *requester, const char *key,
                                         int http_status, const char *reply,
                                         char *err, size_t errlen);

/* ------------------------------------------------------------------------
 * The outbox: events waiting for delivery (fleetmodd's webhooks), kept
 * until delivered, per host_id (each machine delivers its own).
 */

/* Queue body under event_id (non-empty, at most 255 bytes), due now. An
 * event_id already queued (delivered or not) is left as it is: *added
 * (may be NULL) says whether this call queued it. Durable when it
 * returns. */
fleetmod_rc fleetmod_journal_outbox_add(struct fleetmod_journal *j,
                                        const char *event_id, const char *body,
                                        bool *added, char *err, size_t errlen);

/* One queued event, valid during the callback only. */
struct fleetmod_outbox_item {
    uint32_t struct_size; /* set by the library */
    const char *event_id, *body;
    int64_t created_at, next_at; /* epoch seconds */
    int attempts;                /* deliveries tried so far */
};

typedef int (*fleetmod_outbox_fn)(void *user,
                                  const struct fleetmod_outbox_item *it);

/* This host's undelivered events due at or before now, oldest first, at
 * most limit (0: no limit). A callback returning non-zero stops the
 * walk (FLEETMOD_OK). */
fleetmod_rc fleetmod_journal_outbox_due(struct fleetmod_journal *j, int64_t now,
                                        size_t limit, fleetmod_outbox_fn fn,
                                        void *user, char *err, size_t errlen);

/* After a delivery attempt of event_id: delivered, or due again at
 * next_at (attempts counted). FLEETMOD_ENOTFOUND for an unknown id. */
fleetmod_rc fleetmod_journal_outbox_result(struct fleetmod_journal *j,
                                           const char *event_id, bool delivered,
                                           int64_t next_at, char *err,
                                           size_t errlen);

/* This host's undelivered events (*backlog) and the creation time of its
 * newest event, delivered or not (*newest; 0 when there is none). Either
 * pointer may be NULL. */
fleetmod_rc fleetmod_journal_outbox_stat(struct fleetmod_journal *j,
                                         int64_t *backlog, int64_t *newest,
                                         char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* FLEETMOD_SERVICE_H */
