/*
 * stack_route.c - which provider of a stack answers a call.
 *
 * send: the first ready provider whose vins globs match the VIN, in file
 * order; on EDENIED from a "sufficient" provider, the next matching one.
 * Never on any other outcome: a command must never reach two providers.
 * confirm: the section named by the request's "provider"; without it, as
 * send. status: the section named by "provider"; without it, each ready
 * provider in order until one knows the id (falling through only on
 * ENOTFOUND). A batch ("vins", "ids") is routed item by item, the same
 * way, in stack_batch.c.
 *
 * The provider's reply is buffered, then relayed with "provider" set to
 * the section name. When the stack cannot route at all (a request that is
 * not a map, no VIN, no provider taking it), it answers itself with
 * provider "stack". The stack holds no mutable state once open: any number
 * of threads may route through it at once.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"

static fleetmod_rc fail(const struct fm_call *c, fleetmod_rc rc,
                        const char *section, const char *message)
{
    return fm_stack_fail(section, &c->obj, rc, message, c->write, c->sink);
}

/* Call provider p, keeping its reply in *reply. */
static fleetmod_rc try(const struct fm_call *c, const struct fm_provider *p,
                       struct fleetmod_buf *reply)
{
    return c->fn(p->h, c->req, c->len, fleetmod_buf_write, reply);
}

/* Relay a kept reply of provider p, after the refusals ref (may be NULL),
 * to the host, and free it. */
static fleetmod_rc relay_kept(const struct fm_call *c,
                              const struct fm_provider *p, fleetmod_rc rc,
                              struct fleetmod_buf *reply,
                              const struct fm_refusals *ref)
{
    rc = fm_stack_relay(p->section, rc, reply->data, reply->len, ref, c->write,
                        c->sink);
    fleetmod_buf_free(reply);
    return rc;
}

static fleetmod_rc relay(const struct fm_call *c, const struct fm_provider *p)
{
    struct fleetmod_buf reply = {0};
    fleetmod_rc rc = try(c, p, &reply);
    return relay_kept(c, p, rc, &reply, NULL);
}

static bool glob_match(const struct fm_provider *p, const char *vin)
{
    if (p->n_globs == 0)
        return true;
    for (size_t i = 0; i < p->n_globs; i++) {
        if (fnmatch(p->globs[i], vin, FNM_CASEFOLD) == 0)
            return true;
    }
    return false;
}

bool fm_provider_takes(const struct fm_provider *p, const char *vin)
{
    return p->h && glob_match(p, vin);
}

/* The first provider from index i on that takes vin; s->n if none. */
static size_t next_taker(const struct fleetmod_stack *s, size_t i,
                         const char *vin)
{
    while (i < s->n && !fm_provider_takes(&s->p[i], vin))
        i++;
    return i;
}

/* The denials a single send fell through: the refused replies are kept,
 * decoded, until the answer that follows them is relayed. */
struct denials {
    struct fleetmod_buf *replies;
    struct fm_refusal *r;
    struct fm_refusals ref;
    msgpack_zone zone;
    bool has_zone;
};

static bool denials_init(struct denials *d, size_t n)
{
    d->replies = calloc(n, sizeof *d->replies);
    d->r = calloc(n, sizeof *d->r);
    d->ref = (struct fm_refusals){d->r, 0};
    d->has_zone = msgpack_zone_init(&d->zone, MSGPACK_ZONE_CHUNK_SIZE);
    return d->replies && d->r && d->has_zone;
}

static void denials_free(struct denials *d)
{
    for (size_t i = 0; d->replies && i < d->ref.n; i++)
        fleetmod_buf_free(&d->replies[i]);
    free(d->replies);
    free(d->r);
    if (d->has_zone)
        msgpack_zone_destroy(&d->zone);
}

/* Provider p denied with reply (taken over): note why. */
static void denied(struct denials *d, const struct fm_provider *p,
                   fleetmod_rc rc, struct fleetmod_buf *reply)
{
    struct fleetmod_buf *kept = &d->replies[d->ref.n];
    msgpack_object obj;
    *kept = *reply;
    *reply = (struct fleetmod_buf){0};
    bool map =
        fm_msg_unpack(kept->data, kept->len, &d->zone, &obj) == FLEETMOD_OK &&
        obj.type == MSGPACK_OBJECT_MAP;
    d->r[d->ref.n++] =
        fm_refusal_of(p->section, rc, map ? fm_map_get(&obj, "error") : NULL);
}

/* send (and confirm without "provider") for one VIN: fall through only on
 * EDENIED from a sufficient provider that has a successor taking it; the
 * answer carries those denials as its refusals. */
static fleetmod_rc route_vin(const struct fleetmod_stack *s,
                             const struct fm_call *c, const char *vin)
{
    char why[FLEETMOD_ERR_MAX];
    size_t i = next_taker(s, 0, vin);
    if (i == s->n) {
        snprintf(why, sizeof why, "no provider of the stack takes VIN %.64s",
                 vin);
        return fail(c, FLEETMOD_EDENIED, NULL, why);
    }
    struct denials d;
    fleetmod_rc rc = FLEETMOD_ENOMEM;
    if (!denials_init(&d, s->n)) {
        denials_free(&d);
        return fail(c, rc, NULL, "out of memory"); /* nothing was sent */
    }
    while (1) {
        struct fleetmod_buf reply = {0};
        rc = try(c, &s->p[i], &reply);
        size_t next = next_taker(s, i + 1, vin);
        if (rc == FLEETMOD_EDENIED && s->p[i].control == FM_SUFFICIENT &&
            next < s->n) {
            denied(&d, &s->p[i], rc, &reply);
            i = next;
            continue;
        }
        rc = relay_kept(c, &s->p[i], rc, &reply, &d.ref);
        break;
    }
    denials_free(&d);
    return rc;
}

static fleetmod_rc by_vin(const struct fleetmod_stack *s,
                          const struct fm_call *c)
{
    const msgpack_object *vin = fm_map_get(&c->obj, "vin");
    if (!vin || vin->type != MSGPACK_OBJECT_STR)
        return fail(c, FLEETMOD_EINVAL, NULL,
                    "the request has neither a vin string nor a vins array");
    char *copy = strndup(vin->via.str.ptr, vin->via.str.size);
    if (!copy)
        return fail(c, FLEETMOD_ENOMEM, NULL, "out of memory");
    fleetmod_rc rc = route_vin(s, c, copy);
    free(copy);
    return rc;
}

/* status without "provider": ask each ready provider until one knows. */
static fleetmod_rc by_asking(const struct fleetmod_stack *s,
                             const struct fm_call *c)
{
    size_t i = 0;
    while (i < s->n && !s->p[i].h)
        i++;
    if (i == s->n)
        return fail(c, FLEETMOD_ENOTFOUND, NULL,
                    "no provider of the stack is ready");
    while (1) {
        size_t next = i + 1;
        while (next < s->n && !s->p[next].h)
            next++;
        struct fleetmod_buf reply = {0};
        fleetmod_rc rc = try(c, &s->p[i], &reply);
        if (rc != FLEETMOD_ENOTFOUND || next == s->n)
            return relay_kept(c, &s->p[i], rc, &reply, NULL);
        fleetmod_buf_free(&reply);
        i = next;
    }
}

/* The section named by the request's "provider". */
static fleetmod_rc by_name(const struct fleetmod_stack *s,
                           const struct fm_call *c, const msgpack_object *name)
{
    char why[FLEETMOD_ERR_MAX];
    if (name->type != MSGPACK_OBJECT_STR)
        return fail(c, FLEETMOD_EINVAL, NULL, "provider is not a string");
    for (size_t i = 0; i < s->n; i++) {
        const struct fm_provider *p = &s->p[i];
        if (strlen(p->section) != name->via.str.size ||
            memcmp(p->section, name->via.str.ptr, name->via.str.size) != 0)
            continue;
        if (p->h)
            return relay(c, p);
        /* p->error says the module did not start, and why */
        snprintf(why, sizeof why, "provider %s: %s", p->section, p->error);
        return fail(c, FLEETMOD_ECONFIG, p->section, why);
    }
    snprintf(why, sizeof why, "the stack has no provider %.*s",
             (int)(name->via.str.size > 64 ? 64 : name->via.str.size),
             name->via.str.ptr);
    return fail(c, FLEETMOD_EINVAL, NULL, why);
}

enum kind { SEND, CONFIRM, STATUS };

/* A decoded request map, to the provider or providers that answer it. */
static fleetmod_rc dispatch(struct fleetmod_stack *s, enum kind kind,
                            const struct fm_call *c)
{
    const msgpack_object *list, *name = fm_map_get(&c->obj, "provider");
    char why[FLEETMOD_ERR_MAX];
    fleetmod_rc rc =
        fm_batch_list(s, &c->obj, kind == STATUS, &list, why, sizeof why);
    if (rc != FLEETMOD_OK)
        return fail(c, rc, NULL, why);
    if (kind == CONFIRM && list)
        return fail(c, FLEETMOD_EINVAL, NULL,
                    "confirm has no batch form: one vehicle at a time");
    if (kind != SEND && name)
        return by_name(s, c, name);
    if (list)
        return fm_stack_batch(s, c, kind == STATUS, list);
    return kind == STATUS ? by_asking(s, c) : by_vin(s, c);
}

static fleetmod_rc route(struct fleetmod_stack *s, enum kind kind,
                         fm_call_fn fn, const char *req, size_t len,
                         fleetmod_write_fn write, void *sink)
{
    struct fm_call c = {.fn = fn,
                        .req = req,
                        .len = len,
                        .write = write,
                        .sink = sink,
                        .obj = {.type = MSGPACK_OBJECT_NIL}};
    if (!write)
        return FLEETMOD_EINVAL;
    if (!s)
        return fail(&c, FLEETMOD_EINVAL, NULL, "no stack (NULL)");
    if (len > FLEETMOD_MAX_REQUEST_BYTES)
        return fail(&c, FLEETMOD_EINVAL, NULL, "the request is over 1 MiB");
    msgpack_zone zone;
    if (!msgpack_zone_init(&zone, MSGPACK_ZONE_CHUNK_SIZE))
        return fail(&c, FLEETMOD_ENOMEM, NULL, "out of memory");
    fleetmod_rc rc = fm_msg_unpack(req, len, &zone, &c.obj);
    if (rc == FLEETMOD_OK && c.obj.type == MSGPACK_OBJECT_MAP) {
        rc = dispatch(s, kind, &c);
    } else {
        c.obj.type = MSGPACK_OBJECT_NIL;
        rc = fail(&c, rc == FLEETMOD_ENOMEM ? rc : FLEETMOD_EINVAL, NULL,
                  rc == FLEETMOD_ENOMEM ? "out of memory"
                                        : "the request is not a msgpack map");
    }
    msgpack_zone_destroy(&zone);
    return rc;
}

FLEETMOD_API fleetmod_rc fleetmod_stack_send(struct fleetmod_stack *s,
                                             const char *req, size_t req_len,
                                             fleetmod_write_fn write,
                                             void *sink)
{
    return route(s, SEND, fleetmod_send, req, req_len, write, sink);
}

FLEETMOD_API fleetmod_rc fleetmod_stack_confirm(struct fleetmod_stack *s,
                                                const char *req, size_t req_len,
                                                fleetmod_write_fn write,
                                                void *sink)
{
    return route(s, CONFIRM, fleetmod_confirm, req, req_len, write, sink);
}

FLEETMOD_API fleetmod_rc fleetmod_stack_status(struct fleetmod_stack *s,
                                               const char *req, size_t req_len,
                                               fleetmod_write_fn write,
                                               void *sink)
{
    return route(s, STATUS, fleetmod_status, req, req_len, write, sink);
}
