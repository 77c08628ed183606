/*
 * journal/svcstore.c - fleetmod/service.h: idempotency keys and the
 * outbox, thin adapters over the backend's "schema 2" members, under the
 * journal's mutex like every other backend call.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

#include <fleetmod/service.h>

/* The longest key or event id: generous for UUIDs and "JOURNAL:STATE". */
#define ID_MAX 255

/* A backend's member m, when its table is long enough to hold it and it
 * implements it; else NULL. */
#define BE_MEMBER(be, m)                                                       \
    ((be)->struct_size >=                                                      \
             offsetof(struct fm_journal_backend, m) + sizeof(void (*)(void))   \
         ? (be)->m                                                             \
         : NULL)

static bool id_ok(const char *s)
{
    return s && *s && strlen(s) <= ID_MAX;
}

static fleetmod_rc unsupported(const struct fleetmod_journal *j, char *err,
                               size_t errlen)
{
    fm_err(err, errlen,
           "journal backend %s does not store idempotency keys or the "
           "outbox (fleetmod/service.h)",
           j->be->name);
    return FLEETMOD_ECONFIG;
}

static fleetmod_rc done(struct fleetmod_journal *j, int bad)
{
    fm_journal_unlock(j);
    return bad < 0 ? FLEETMOD_EINTERNAL : FLEETMOD_OK;
}

FLEETMOD_API const char *
fleetmod_journal_host_id(const struct fleetmod_journal *j)
{
    return j ? j->pol.host_id : NULL;
}

FLEETMOD_API fleetmod_rc fleetmod_journal_idem_begin(
    struct fleetmod_journal *j, const char *requester, const char *key,
    const char *fingerprint, int64_t ttl_s, struct fleetmod_idem *out,
    char *err, size_t errlen)
{
    if (!j || !out || out->struct_size < sizeof *out || !id_ok(key) ||
        !requester || !*requester || !fingerprint || !*fingerprint || ttl_s < 0)
        return FLEETMOD_EINVAL;
    out->state = FLEETMOD_IDEM_NEW;
    out->http_status = 0;
    out->reply = NULL;
    if (!BE_MEMBER(j->be, idem_begin))
        return unsupported(j, err, errlen);
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    return done(j,
                j->be->idem_begin(j->db, requester, key, fingerprint, fm_now(),
                                  ttl_s, &out->state, &out->http_status,
                                  &out->reply, err, errlen));
}

FLEETMOD_API fleetmod_rc fleetmod_journal_idem_finish(
    struct fleetmod_journal *j, const char *requester, const char *key,
    int http_status, const char *reply, char *err, size_t errlen)
{
    if (!j || !id_ok(key) || !requester || !*requester || !reply)
        return FLEETMOD_EINVAL;
    if (!BE_MEMBER(j->be, idem_finish))
        return unsupported(j, err, errlen);
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    bool found = false;
    fleetmod_rc rc =
        done(j, j->be->idem_finish(j->db, requester, key, http_status, reply,
                                   &found, err, errlen));
    return rc == FLEETMOD_OK && !found ? FLEETMOD_ENOTFOUND : rc;
}

FLEETMOD_API fleetmod_rc fleetmod_journal_outbox_add(struct fleetmod_journal *j,
                                                     const char *event_id,
                                                     const char *body,
                                                     bool *added, char *err,
                                                     size_t errlen)
{
    if (!j || !id_ok(event_id) || !body)
        return FLEETMOD_EINVAL;
    if (!BE_MEMBER(j->be, outbox_add))
        return unsupported(j, err, errlen);
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    bool a = false;
    fleetmod_rc rc = done(
        j, j->be->outbox_add(j->db, event_id, body, fm_now(), &a, err, errlen));
    if (added)
        *added = a;
    return rc;
}

struct due {
    fleetmod_outbox_fn fn;
    void *user;
};

static int each_due(void *user, const char *event_id, const char *body,
                    int64_t created_at, int64_t next_at, int attempts)
{
    struct due *c = user;
    struct fleetmod_outbox_item it = {.struct_size = sizeof it,
                                      .event_id = event_id,
                                      .body = body,
                                      .created_at = created_at,
                                      .next_at = next_at,
                                      .attempts = attempts};
    return c->fn(c->user, &it);
}

FLEETMOD_API fleetmod_rc fleetmod_journal_outbox_due(struct fleetmod_journal *j,
                                                     int64_t now, size_t limit,
                                                     fleetmod_outbox_fn fn,
                                                     void *user, char *err,
                                                     size_t errlen)
{
    if (!j || !fn)
        return FLEETMOD_EINVAL;
    if (!BE_MEMBER(j->be, outbox_due))
        return unsupported(j, err, errlen);
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    struct due c = {fn, user};
    return done(
        j, j->be->outbox_due(j->db, now, limit, each_due, &c, err, errlen));
}

FLEETMOD_API fleetmod_rc fleetmod_journal_outbox_result(
    struct fleetmod_journal *j, const char *event_id, bool delivered,
    int64_t next_at, char *err, size_t errlen)
{
    if (!j || !id_ok(event_id))
        return FLEETMOD_EINVAL;
    if (!BE_MEMBER(j->be, outbox_result))
        return unsupported(j, err, errlen);
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    bool found = false;
    fleetmod_rc rc =
        done(j, j->be->outbox_result(j->db, event_id, delivered, fm_now(),
                                     next_at, &found, err, errlen));
    return rc == FLEETMOD_OK && !found ? FLEETMOD_ENOTFOUND : rc;
}

FLEETMOD_API fleetmod_rc
fleetmod_journal_outbox_stat(struct fleetmod_journal *j, int64_t *backlog,
                             int64_t *newest, char *err, size_t errlen)
{
    if (!j)
        return FLEETMOD_EINVAL;
    if (!BE_MEMBER(j->be, outbox_stat))
        return unsupported(j, err, errlen);
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    int64_t b = 0, n = 0;
    fleetmod_rc rc = done(j, j->be->outbox_stat(j->db, &b, &n, err, errlen));
    if (backlog)
        *backlog = b;
    if (newest)
        *newest = n;
    return rc;
}
