/*
 * journal/guard.c - the guard: opening it in front of a stack, and a
 * single send or confirm through it. Data flows one way: request ->
 * checks -> intent committed -> stack -> outcome recorded -> reply with
 * the guard's keys. Batches are in guard_batch.c, status in
 * guard_status.c.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "../stack.h"
#include "guard_int.h"

FLEETMOD_API struct fleetmod_journal *
fleetmod_guard_journal(struct fleetmod_guard *g)
{
    return g ? g->j : NULL;
}

static fleetmod_rc make_throttles(struct fleetmod_guard *g, char *err,
                                  size_t errlen)
{
    const struct fm_policy *p = &g->j->pol;
    g->n_t = g->stack->n;
    g->t = calloc(g->n_t ? g->n_t : 1, sizeof *g->t);
    if (!g->t)
        return FLEETMOD_ENOMEM;
    for (size_t i = 0; i < g->n_t; i++) {
        g->t[i].section = g->stack->p[i].section;
        g->t[i].pol = fm_policy_provider(p, g->t[i].section);
    }
    /* A [provider NAME] no section of the stack has is a typo that would
     * silently lift a limit. */
    for (size_t i = 0; i < p->n_provs; i++) {
        if (!fm_throttle_of(g, p->provs[i].name)) {
            fm_err(err, errlen,
                   "%s:%d: [provider %s]: the stack has no "
                   "such section",
                   p->path, p->provs[i].line, p->provs[i].name);
            return FLEETMOD_ECONFIG;
        }
    }
    return FLEETMOD_OK;
}

FLEETMOD_API fleetmod_rc fleetmod_guard_open(const char *policy_path,
                                             struct fleetmod_stack *stack,
                                             const struct fleetmod_host *host,
                                             struct fleetmod_guard **out,
                                             char *err, size_t errlen)
{
    if (!out || !stack) {
        fm_err(err, errlen, "fleetmod_guard_open: no stack");
        return FLEETMOD_EINVAL;
    }
    *out = NULL;
    struct fleetmod_guard *g = calloc(1, sizeof *g);
    if (!g)
        return FLEETMOD_ENOMEM;
    g->stack = stack;
    pthread_mutex_init(&g->mu, NULL);
    fleetmod_rc rc =
        fleetmod_journal_open(policy_path, host, &g->j, err, errlen);
    if (rc == FLEETMOD_OK)
        rc = make_throttles(g, err, errlen);
    if (rc == FLEETMOD_OK) {
        char why[FLEETMOD_ERR_MAX];
        /* Retention is best effort: a journal that cannot prune now still
         * records commands. */
        if (fleetmod_journal_prune(g->j, NULL, why, sizeof why))
            fm_jlog(g->j, LOG_WARNING, "journal: pruning failed: %s", why);
    }
    if (rc != FLEETMOD_OK) {
        fleetmod_guard_close(g);
        return rc;
    }
    *out = g;
    return FLEETMOD_OK;
}

FLEETMOD_API void fleetmod_guard_close(struct fleetmod_guard *g)
{
    if (!g)
        return;
    fleetmod_journal_close(g->j);
    pthread_mutex_destroy(&g->mu);
    free(g->t);
    free(g);
}

/* ---- one command --------------------------------------------------------*/

struct send_row {
    const char *command;
    char id[64];
    int64_t deadline;
};

static int find_confirmation(void *user, const struct fm_jrow *r)
{
    struct send_row *s = user;
    if (!r->command || strcmp(r->command, s->command) || !r->state ||
        strcmp(r->state, "confirmation"))
        return 0;
    snprintf(s->id, sizeof s->id, "%s", r->journal_id);
    s->deadline = r->deadline;
    return 1;
}

/* A confirm belongs to the send that asked for it: the newest row of the
 * VIN and command waiting for confirmation. */
static int send_row_of(struct fleetmod_guard *g, const char *vin,
                       struct send_row *s, char *err, size_t errlen)
{
    struct fm_jquery q = {.vin = vin, .unresolved = true, .limit = 50};
    if (!fm_journal_lock(g->j, err, errlen))
        return -1;
    int bad = g->j->be->list(g->j->db, &q, find_confirmation, s, err, errlen);
    fm_journal_unlock(g->j);
    return bad < 0 ? -1 : 0;
}

/* Write it ahead: its intent (a new command) or, for a confirm of a
 * journaled send, a confirm event on that send's row. */
static int write_ahead(struct fleetmod_guard *g, struct fm_gitem *it,
                       const char *send_id, char *err, size_t errlen)
{
    if (!fm_journal_lock(g->j, err, errlen))
        return -1;
    int bad;
    if (!send_id) {
        bad = g->j->be->intents(g->j->db, &it->in, 1, err, errlen);
    } else {
        struct fm_jevent ev = it->in.ev;
        snprintf(it->id, sizeof it->id, "%s", send_id);
        ev.journal_id = it->id;
        ev.kind = it->in.refuse ? "refused" : "confirm";
        ev.state = it->in.refuse ? FM_J_REFUSED : FM_J_SENDING;
        ev.note = it->in.refuse;
        ev.error_name = it->in.refuse ? it->in.refuse_error : NULL;
        /* The command's fixed fields stay those of its send. */
        ev.provider = ev.vin = ev.command = NULL;
        ev.deadline = 0;
        bad = g->j->be->append(g->j->db, &ev, 1, err, errlen);
        it->in.refused = it->in.refuse;
    }
    fm_journal_unlock(g->j);
    return bad;
}

typedef fleetmod_rc (*stack_fn)(struct fleetmod_stack *, const char *, size_t,
                                fleetmod_write_fn, void *);

/* Record the outcome; a failure leaves the row unresolved (reconcile
 * settles it) and the reply unchanged. */
void fm_guard_record(struct fleetmod_guard *g, struct fm_jevent *evs, size_t n)
{
    char err[FLEETMOD_ERR_MAX];
    int bad = !fm_journal_lock(g->j, err, sizeof err);
    if (!bad) {
        bad = g->j->be->append(g->j->db, evs, n, err, sizeof err);
        fm_journal_unlock(g->j);
    }
    if (bad)
        fm_jlog(g->j, LOG_ERR,
                "journal: the outcome of %zu command(s) (first %s) was not "
                "recorded; it stays unresolved: %s",
                n, n ? evs[0].journal_id : "-", err);
}

/* The stack's reply as a map, relayed with the guard's keys. */
static fleetmod_rc relay(const struct fleetmod_buf *b, fleetmod_rc rc,
                         const struct fm_extra *x, msgpack_zone *zone,
                         fleetmod_write_fn write, void *sink)
{
    msgpack_object obj;
    if (fm_msg_unpack(b->data, b->len, zone, &obj) != FLEETMOD_OK ||
        obj.type != MSGPACK_OBJECT_MAP)
        return write(sink, b->data, b->len) ? FLEETMOD_ENOMEM : rc;
    msgpack_packer pk;
    msgpack_packer_init(&pk, sink, write);
    return fm_pack_extra(&pk, &obj, x) ? FLEETMOD_ENOMEM : rc;
}

/* Call the stack with the command written ahead, record, reply. */
static fleetmod_rc call(struct fleetmod_guard *g, struct fm_gitem *it,
                        stack_fn fn, const char *req, size_t len,
                        msgpack_zone *zone, fleetmod_write_fn write, void *sink)
{
    struct fleetmod_buf b = {0};
    struct fleetmod_reply r;
    msgpack_object obj = {0};
    int64_t t0 = fm_now_ms();
    fleetmod_rc rc = fn(g->stack, req, len, fleetmod_buf_write, &b);
    int64_t ms = fm_now_ms() - t0;
    bool decoded = fleetmod_reply_decode(b.data, b.len, &r) == FLEETMOD_OK &&
                   fm_msg_unpack(b.data, b.len, zone, &obj) == FLEETMOD_OK;
    fm_throttle_done(g, it, rc,
                     decoded && r.has_error ? r.error.retry_after_ms : -1);
    struct fm_jevent ev;
    char *detail = NULL;
    fm_gitem_outcome(g, it, rc, decoded ? &r : NULL, decoded ? &obj : NULL, ms,
                     &ev, &detail);
    fm_guard_record(g, &ev, 1);
    struct fm_extra x = {
        .journal = it->id, .deadline = it->in.ev.deadline, .late = ev.late};
    rc = relay(&b, rc, &x, zone, write, sink);
    free(detail);
    fleetmod_reply_free(&r);
    fleetmod_buf_free(&b);
    return rc;
}

static fleetmod_rc unsent(struct fm_gitem *it, fleetmod_write_fn write,
                          void *sink)
{
    msgpack_packer pk;
    int fail = 0;
    msgpack_packer_init(&pk, sink, write);
    fleetmod_rc rc = fm_pack_unsent(&pk, it, NULL, &fail);
    return fail ? FLEETMOD_ENOMEM : rc;
}

fleetmod_rc fm_guard_refuse_journal(const msgpack_object *req, const char *vin,
                                    const char *why, fleetmod_write_fn write,
                                    void *sink)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sink, write);
    return fm_pack_journal_refusal(&pk, req, vin, why) ? FLEETMOD_ENOMEM
                                                       : FLEETMOD_EREFUSED;
}

fleetmod_rc fm_guard_one(struct fleetmod_guard *g, const msgpack_object *req,
                         const char *bytes, size_t len, const char *vin,
                         const char *command, bool confirm, msgpack_zone *zone,
                         fleetmod_write_fn write, void *sink)
{
    struct fm_gitem it = {0};
    struct send_row s = {.command = command};
    char err[FLEETMOD_ERR_MAX];
    if (confirm && send_row_of(g, vin, &s, err, sizeof err))
        return fm_guard_refuse_journal(req, vin, err, write, sink);
    fm_gitem_prepare(g, &it, req, vin, command, confirm, s.deadline, zone);
    if (write_ahead(g, &it, s.id[0] ? s.id : NULL, err, sizeof err)) {
        fm_throttle_unprobe(g, &it);
        return fm_guard_refuse_journal(req, vin, err, write, sink);
    }
    if (it.in.refused || it.in.dup_found) {
        fm_throttle_unprobe(g, &it);
        fm_quota_retry(g, &it, 1);
        return unsent(&it, write, sink);
    }
    return call(g, &it, confirm ? fleetmod_stack_confirm : fleetmod_stack_send,
                bytes, len, zone, write, sink);
}
