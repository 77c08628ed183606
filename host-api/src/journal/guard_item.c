/*
 * journal/guard_item.c - one command through the guard's checks: which
 * provider takes it, its rules, its deadline, who asks and why; and, once
 * the module has answered, the outcome event the journal records.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../stack.h"
#include "guard_int.h"
#include "writer.h"

/* A ULID: 48 bits of milliseconds since the epoch and 80 random bits in
 * 26 characters of Crockford's base32. Unique across processes and
 * machines sharing one journal with no coordination; in creation order,
 * so that the journal's indexes on it grow at their end (fuller pages);
 * and 10 characters shorter than a UUID in each of the 8 places a command
 * stores it. */
static void new_id(char out[40])
{
    static const char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    uint8_t b[16] = {0};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(ms >> (40 - 8 * i));
    size_t got = 6;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n > 0)
            got += (size_t)n;
    }
    /* 128 bits as 26 digits of 5 bits, the first digit holding 3. */
    for (int d = 25, bit = 0; d >= 0; d--, bit += 5) {
        unsigned v = 0;
        for (int k = 0; k < 5 && bit + k < 128; k++) {
            int pos = 127 - (bit + k);
            v |= (unsigned)((b[pos / 8] >> (7 - pos % 8)) & 1) << k;
        }
        out[d] = digits[v];
    }
    out[26] = '\0';
}

/* The section a send of vin goes to: the first ready provider whose globs
 * take it, as the stack routes (a "sufficient" provider's EDENIED may
 * still pass it on; the outcome then names the real one). */
static const char *route(const struct fleetmod_stack *s, const char *vin)
{
    for (size_t i = 0; vin && i < s->n; i++) {
        if (fm_provider_takes(&s->p[i], vin))
            return s->p[i].section;
    }
    return NULL;
}

static bool requester_ok(const struct fm_rules *r, const char *who)
{
    if (!r->who)
        return true;
    for (size_t i = 0; who && i < r->who->n_requesters; i++) {
        if (!fnmatch(r->who->requesters[i], who, 0))
            return true;
    }
    return false;
}

static void refuse(struct fm_gitem *it, const char *reason, const char *why)
{
    it->in.refuse = reason;
    it->in.refuse_error = "EREFUSED";
    it->why = why;
}

/* The deadline, requester and reason guards, fleetmod-policy(5)'s order. */
static void check_request(struct fm_gitem *it, const struct fm_rules *r,
                          int64_t now)
{
    const struct fm_jevent *e = &it->in.ev;
    if (e->deadline && now > e->deadline)
        refuse(it, "expired", "the request's deadline has passed");
    else if (!requester_ok(r, e->requester))
        refuse(it, "requester", "this requester may not send this command");
    else if (r->reason_required && (!e->reason || !*e->reason))
        refuse(it, "reason", "this command needs a reason");
}

void fm_gitem_prepare(struct fleetmod_guard *g, struct fm_gitem *it,
                      const msgpack_object *req, const char *vin,
                      const char *command, bool confirm, int64_t send_deadline,
                      msgpack_zone *zone)
{
    struct fm_rules r;
    int64_t now = fm_now();
    fm_policy_rules(&g->j->pol, command, &r);
    const msgpack_object *dl = fm_map_get(req, "deadline");
    new_id(it->id);
    const char *section = route(g->stack, vin);
    const msgpack_object *prov = confirm ? fm_map_get(req, "provider") : NULL;
    const char *named = fm_zstr(zone, prov);
    if (named)
        section = named;
    it->t = fm_throttle_of(g, section);
    struct fm_jevent *e = &it->in.ev;
    *e = (struct fm_jevent){
        .journal_id = it->id,
        .at = now,
        .kind = "intent",
        .state = FM_J_SENDING,
        .provider = it->t ? it->t->section : section,
        .vin = vin,
        .command = command,
        .requester = fm_zstr(zone, fm_map_get(req, "requester")),
        .reason = fm_zstr(zone, fm_map_get(req, "reason")),
        .request_id = fm_zstr(zone, fm_map_get(req, "request_id")),
        .rc = -1,
        .latency_ms = -1};
    if (confirm)
        e->deadline = send_deadline;
    else if (dl && dl->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        e->deadline = (int64_t)dl->via.u64;
    else if (dl && dl->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        e->deadline = 1; /* long past */
    else if (r.deadline)
        e->deadline = now + r.deadline;
    it->in.dup = confirm ? FM_JDUP_ALLOW : r.dup;
    it->in.dup_window = r.dup_window;
    const struct fm_prov_policy *pp = it->t ? it->t->pol : NULL;
    it->in.quota = pp && pp->quota >= 0 && !confirm ? pp->quota : -1;
    it->in.quota_since = now - 86400;
    fm_writer_self(&it->in.writer);
    check_request(it, &r, now);
    fm_throttle_check(g, it);
}

int fm_state_of(fleetmod_rc rc, const char *status, const char *delivered)
{
    static const struct {
        const char *word;
        int state;
    } words[] = {{"confirmation", FM_J_CONFIRMATION},
                 {"pending", FM_J_PENDING},
                 {"success", FM_J_SUCCESS},
                 {"error", FM_J_ERROR}};
    if (rc != FLEETMOD_OK) {
        if (!delivered)
            delivered = fleetmod_rc_delivered(rc);
        /* It may have run: never "failed", which says it did not. */
        return !strcmp(delivered, "no")    ? FM_J_FAILED
               : !strcmp(delivered, "yes") ? FM_J_ERROR
                                           : FM_J_UNKNOWN;
    }
    for (size_t i = 0; status && i < sizeof words / sizeof *words; i++) {
        if (!strcmp(status, words[i].word))
            return words[i].state;
    }
    return FM_J_SENT;
}

char *fm_detail_json(const msgpack_object *reply)
{
    const msgpack_object *d = fm_map_get(reply, "detail");
    if (!d)
        return NULL;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    char *json = msgpack_pack_object(&pk, *d)
                     ? NULL
                     : fleetmod_msg_to_json(sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    return json;
}

void fm_gitem_outcome(struct fleetmod_guard *g, const struct fm_gitem *it,
                      fleetmod_rc rc, const struct fleetmod_reply *r,
                      const msgpack_object *reply_obj, int64_t latency_ms,
                      struct fm_jevent *ev, char **detail)
{
    const char *delivered = r && r->has_error ? r->error.delivered : NULL;
    *detail =
        g->j->pol.store_detail && reply_obj ? fm_detail_json(reply_obj) : NULL;
    *ev = (struct fm_jevent){
        .journal_id = it->id,
        .at = fm_now(),
        .kind = "outcome",
        .state = fm_state_of(rc, r ? r->status : NULL, delivered),
        .rc = (int)rc,
        .error_name = rc ? fleetmod_error_name(rc) : NULL,
        .delivered = delivered ? delivered : fleetmod_rc_delivered(rc),
        .http_status = r && r->has_error ? r->error.http_status : 0,
        .provider_id = r ? r->id : NULL,
        .executed_at = r && r->has_executed ? r->executed : 0,
        .latency_ms = latency_ms,
        .detail = *detail};
    ev->late = ev->executed_at && it->in.ev.deadline &&
               ev->executed_at > it->in.ev.deadline;
}
