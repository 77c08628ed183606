/*
 * journal/guard_int.h - what the guard's files share: the guard, one
 * guarded item on its way through the checks, the in-process throttles
 * (breaker, token bucket, 429 pause), and the replies the guard writes.
 */
#ifndef FM_GUARD_INT_H
#define FM_GUARD_INT_H

#include <msgpack.h>

#include "journal.h"

/* In-process state of one stack section: breaker, bucket, pause. */
struct fm_throttle {
    const char *section;              /* the stack's, lives as long */
    const struct fm_prov_policy *pol; /* NULL: no limits */
    int fails;                        /* consecutive EUNREACHABLE/EUNKNOWN */
    bool open, probing;
    int64_t open_until_ms; /* monotonic */
    double tokens;
    int64_t refill_ms;
    int64_t pause_until_ms; /* a 429's Retry-After */
};

struct fleetmod_guard {
    struct fleetmod_journal *j;
    struct fleetmod_stack *stack;
    pthread_mutex_t mu; /* the throttles */
    struct fm_throttle *t;
    size_t n_t;
};

/* One command (a send, a batch item, or a confirm) through the guard. */
struct fm_gitem {
    struct fm_jintent in;   /* in.ev: the intent as it will be written */
    char id[40];            /* its journal_id, a UUID */
    struct fm_throttle *t;  /* its provider's, or NULL */
    bool probe;             /* this call is the breaker's probe */
    int64_t retry_after_ms; /* for a rate-type refusal */
    const char *why;        /* the refusal's message */
};

/* throttle.c: the breaker, then the bucket, then the 429 pause of it->t;
 * sets it->in.refuse (and retry_after_ms) when one refuses. Takes a token
 * when all pass. */
void fm_throttle_check(struct fleetmod_guard *g, struct fm_gitem *it);
/* throttle.c: what the provider's answer (rc, retry_after_ms or -1)
 * means for it->t: breaker counts, the 429 pause. */
void fm_throttle_done(struct fleetmod_guard *g, struct fm_gitem *it,
                      fleetmod_rc rc, int64_t retry_after_ms);
/* throttle.c: a probe that never reached the provider gives its turn
 * back. */
void fm_throttle_unprobe(struct fleetmod_guard *g, struct fm_gitem *it);
/* throttle.c: the throttle of section, NULL when unknown. */
struct fm_throttle *fm_throttle_of(struct fleetmod_guard *g,
                                   const char *section);

/* quota.c: set retry_after_ms of the n items refused for their quota:
 * when the provider's next slot frees. */
void fm_quota_retry(struct fleetmod_guard *g, struct fm_gitem *items, size_t n);

/* guard_item.c: fill it for (vin, command) of request req (a map):
 * route, rules, deadline, requester and reason checks, then the
 * throttles. confirm: deadline from the send's row (send_deadline, 0:
 * none), no duplicate rule, no quota. Strings are copied into zone. */
void fm_gitem_prepare(struct fleetmod_guard *g, struct fm_gitem *it,
                      const msgpack_object *req, const char *vin,
                      const char *command, bool confirm, int64_t send_deadline,
                      msgpack_zone *zone);

/* guard_item.c: the outcome event of it from the module's reply r
 * (rc: the call's; latency_ms: its duration) into ev; detail is a
 * malloc'd JSON text when the policy stores detail (free it). */
void fm_gitem_outcome(struct fleetmod_guard *g, const struct fm_gitem *it,
                      fleetmod_rc rc, const struct fleetmod_reply *r,
                      const msgpack_object *reply_obj, int64_t latency_ms,
                      struct fm_jevent *ev, char **detail);

/* guard_item.c: the state a reply's status word means for a call that
 * returned rc with delivered (NULL: by rc). */
int fm_state_of(fleetmod_rc rc, const char *status, const char *delivered);

/* Keys the guard adds to a reply. */
struct fm_extra {
    const char *journal; /* NULL: none */
    int64_t deadline;    /* 0: none */
    bool duplicate, late;
};

/* guard_reply.c: map with the extra keys set (replacing ones it has). */
int fm_pack_extra(msgpack_packer *pk, const msgpack_object *map,
                  const struct fm_extra *x);
/* guard_reply.c: the reply of an item the guard did not send: refused
 * (FLEETMOD_EREFUSED / ERATELIMIT / EUNREACHABLE, delivered "no", with
 * error.reason) or coalesced (FLEETMOD_OK, duplicate true). Returns the
 * item's rc; *fail set when packing failed. */
fleetmod_rc fm_pack_unsent(msgpack_packer *pk, const struct fm_gitem *it,
                           const msgpack_object *req, int *fail);
/* guard_reply.c: a journal refusal for vin/command of req (nothing
 * written, nothing sent). */
int fm_pack_journal_refusal(msgpack_packer *pk, const msgpack_object *req,
                            const char *vin, const char *why);
/* guard_reply.c: the rc of an unsent item. */
fleetmod_rc fm_unsent_rc(const struct fm_gitem *it);

/* guard_reply.c: a string value as a NUL-terminated copy allocated in
 * zone; NULL when obj is NULL, not a string, holds a NUL byte, or the
 * zone cannot grow. */
const char *fm_zstr(msgpack_zone *zone, const msgpack_object *obj);

/* guard.c: a single send or confirm of vin/command (req decoded, bytes
 * as sent) through the checks, the journal and the stack. */
fleetmod_rc fm_guard_one(struct fleetmod_guard *g, const msgpack_object *req,
                         const char *bytes, size_t len, const char *vin,
                         const char *command, bool confirm, msgpack_zone *zone,
                         fleetmod_write_fn write, void *sink);
/* guard.c: append n outcome or status events in one transaction; when
 * that fails, a LOG_ERR line says so and the rows stay unresolved. */
void fm_guard_record(struct fleetmod_guard *g, struct fm_jevent *evs, size_t n);
/* guard.c: the reply when the journal cannot be written: EREFUSED,
 * reason journal, nothing sent. */
fleetmod_rc fm_guard_refuse_journal(const msgpack_object *req, const char *vin,
                                    const char *why, fleetmod_write_fn write,
                                    void *sink);

/* guard_send.c: true (with the reply written and *rc set) when g was
 * opened by another process: nothing is sent from a forked child. */
bool fm_guard_forked(struct fleetmod_guard *g, fleetmod_write_fn write,
                     void *sink, fleetmod_rc *rc);

/* guard_batch.c: a send with "vins" (list: its array of 1 to the stack's
 * limit of strings) item by item through the checks, one intent
 * transaction, one stack call for the items that pass, one outcome
 * transaction, one merged reply. */
fleetmod_rc fm_guard_batch(struct fleetmod_guard *g, const msgpack_object *req,
                           const msgpack_object *list, const char *command,
                           msgpack_zone *zone, fleetmod_write_fn write,
                           void *sink);

#endif /* FM_GUARD_INT_H */
