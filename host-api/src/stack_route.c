/*
 * stack_route.c - which provider of a stack answers a call.
 *
 * send: the first ready provider whose vins globs match the VIN, in file
 * order; on EDENIED from a "sufficient" provider, the next matching one.
 * Never on any other outcome: a command must never reach two providers.
 * A batch ("vins") goes where its VINs go, and they must all go to the
 * same provider (else EINVAL): a batch is one call to one module.
 * confirm: the section named by the request's "provider"; without it, as
 * send. status: the section named by "provider"; without it, each ready
 * provider in order until one knows the id (falling through only on
 * ENOTFOUND).
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

typedef fleetmod_rc (*call_fn)(struct fleetmod_handle *h, const char *req,
                               size_t req_len, fleetmod_write_fn write,
                               void *sink);

/* One routed call: the request as bytes and decoded, and the reply's
 * destination. */
struct call {
    call_fn fn;
    const char *req;
    size_t len;
    msgpack_object obj;
    fleetmod_write_fn write;
    void *sink;
};

/* The VINs of a request as NUL-terminated copies. */
struct vins {
    char **v;
    size_t n;
};

static void vins_free(struct vins *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        free(vs->v[i]);
    free(vs->v);
}

static fleetmod_rc fail(const struct call *c, fleetmod_rc rc,
                        const char *section, const char *message)
{
    return fm_stack_fail(section, &c->obj, rc, message, c->write, c->sink);
}

/* Call provider p, keeping its reply in *reply. */
static fleetmod_rc try(const struct call *c, const struct fm_provider *p,
                       struct fleetmod_buf *reply)
{
    return c->fn(p->h, c->req, c->len, fleetmod_buf_write, reply);
}

/* Relay a kept reply of provider p to the host, and free it. */
static fleetmod_rc relay_kept(const struct call *c, const struct fm_provider *p,
                              fleetmod_rc rc, struct fleetmod_buf *reply)
{
    rc = fm_stack_relay(p->section, rc, reply->data, reply->len, c->write,
                        c->sink);
    fleetmod_buf_free(reply);
    return rc;
}

static fleetmod_rc relay(const struct call *c, const struct fm_provider *p)
{
    struct fleetmod_buf reply = {0};
    fleetmod_rc rc = try(c, p, &reply);
    return relay_kept(c, p, rc, &reply);
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

/* Ready, and its globs take every VIN. */
static bool takes(const struct fm_provider *p, const struct vins *vs)
{
    if (p->h == NULL)
        return false;
    for (size_t i = 0; i < vs->n; i++) {
        if (!glob_match(p, vs->v[i]))
            return false;
    }
    return true;
}

/* The first provider from index i on that takes vs; s->n if none. */
static size_t next_taker(const struct fleetmod_stack *s, size_t i,
                         const struct vins *vs)
{
    while (i < s->n && !takes(&s->p[i], vs))
        i++;
    return i;
}

static size_t first_for_vin(const struct fleetmod_stack *s, char *vin)
{
    struct vins one = {.v = &vin, .n = 1};
    return next_taker(s, 0, &one);
}

static fleetmod_rc add_vin(struct vins *vs, const msgpack_object *o)
{
    char **grown = realloc(vs->v, (vs->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return FLEETMOD_ENOMEM;
    vs->v = grown;
    vs->v[vs->n] = strndup(o->via.str.ptr, o->via.str.size);
    return vs->v[vs->n++] != NULL ? FLEETMOD_OK : FLEETMOD_ENOMEM;
}

/* The request's vin, or the items of vins. *why says what is wrong. */
static fleetmod_rc get_vins(const msgpack_object *req, struct vins *vs,
                            const char **why)
{
    const msgpack_object *vin = fm_map_get(req, "vin");
    const msgpack_object *list = fm_map_get(req, "vins");
    *why = "the request has neither a vin string nor a vins array";
    if (vin != NULL && list != NULL) {
        *why = "the request has both vin and vins";
        return FLEETMOD_EINVAL;
    }
    if (vin != NULL && vin->type == MSGPACK_OBJECT_STR)
        return add_vin(vs, vin);
    if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY ||
        list->via.array.size == 0)
        return FLEETMOD_EINVAL;
    fleetmod_rc rc = FLEETMOD_OK;
    for (uint32_t i = 0; i < list->via.array.size && rc == FLEETMOD_OK; i++) {
        const msgpack_object *o = &list->via.array.ptr[i];
        *why = "an item of vins is not a string";
        rc = o->type == MSGPACK_OBJECT_STR ? add_vin(vs, o) : FLEETMOD_EINVAL;
    }
    return rc;
}

/* Where the VINs go: *first, or EDENIED (nowhere) or EINVAL (not one
 * place) with why. */
static fleetmod_rc route_vins(const struct fleetmod_stack *s,
                              const struct vins *vs, size_t *first, char *why,
                              size_t size)
{
    *first = first_for_vin(s, vs->v[0]);
    if (*first == s->n) {
        snprintf(why, size, "no provider of the stack takes VIN %.64s",
                 vs->v[0]);
        return FLEETMOD_EDENIED;
    }
    for (size_t i = 1; i < vs->n; i++) {
        size_t other = first_for_vin(s, vs->v[i]);
        if (other != *first) {
            snprintf(why, size,
                     "the VINs of a batch go to different providers: %.64s "
                     "to %s, %.64s to %s",
                     vs->v[0], s->p[*first].section, vs->v[i],
                     other < s->n ? s->p[other].section : "none");
            return FLEETMOD_EINVAL;
        }
    }
    return FLEETMOD_OK;
}

/* send (and confirm without "provider"): fall through only on EDENIED
 * from a sufficient provider that has a successor taking the VINs. */
static fleetmod_rc by_vin(const struct fleetmod_stack *s, const struct call *c)
{
    struct vins vs = {0};
    const char *bad;
    char why[FLEETMOD_ERR_MAX];
    fleetmod_rc rc = get_vins(&c->obj, &vs, &bad);
    if (rc != FLEETMOD_OK) {
        vins_free(&vs);
        return fail(c, rc, NULL, rc == FLEETMOD_ENOMEM ? "out of memory" : bad);
    }
    size_t i;
    rc = route_vins(s, &vs, &i, why, sizeof(why));
    if (rc != FLEETMOD_OK) {
        vins_free(&vs);
        return fail(c, rc, NULL, why);
    }
    while (1) {
        struct fleetmod_buf reply = {0};
        rc = try(c, &s->p[i], &reply);
        size_t next = next_taker(s, i + 1, &vs);
        if (rc == FLEETMOD_EDENIED && s->p[i].control == FM_SUFFICIENT &&
            next < s->n) {
            fleetmod_buf_free(&reply);
            i = next;
            continue;
        }
        vins_free(&vs);
        return relay_kept(c, &s->p[i], rc, &reply);
    }
}

/* status without "provider": ask each ready provider until one knows. */
static fleetmod_rc by_asking(const struct fleetmod_stack *s,
                             const struct call *c)
{
    size_t i = 0;
    while (i < s->n && s->p[i].h == NULL)
        i++;
    if (i == s->n)
        return fail(c, FLEETMOD_ENOTFOUND, NULL,
                    "no provider of the stack is ready");
    while (1) {
        size_t next = i + 1;
        while (next < s->n && s->p[next].h == NULL)
            next++;
        struct fleetmod_buf reply = {0};
        fleetmod_rc rc = try(c, &s->p[i], &reply);
        if (rc != FLEETMOD_ENOTFOUND || next == s->n)
            return relay_kept(c, &s->p[i], rc, &reply);
        fleetmod_buf_free(&reply);
        i = next;
    }
}

/* The section named by the request's "provider". */
static fleetmod_rc by_name(const struct fleetmod_stack *s, const struct call *c,
                           const msgpack_object *name)
{
    char why[FLEETMOD_ERR_MAX];
    if (name->type != MSGPACK_OBJECT_STR)
        return fail(c, FLEETMOD_EINVAL, NULL, "provider is not a string");
    for (size_t i = 0; i < s->n; i++) {
        const struct fm_provider *p = &s->p[i];
        if (strlen(p->section) != name->via.str.size ||
            memcmp(p->section, name->via.str.ptr, name->via.str.size) != 0)
            continue;
        if (p->h != NULL)
            return relay(c, p);
        snprintf(why, sizeof(why), "provider %s failed to start: %s",
                 p->section, p->error);
        return fail(c, FLEETMOD_ECONFIG, p->section, why);
    }
    snprintf(why, sizeof(why), "the stack has no provider %.*s",
             (int)(name->via.str.size > 64 ? 64 : name->via.str.size),
             name->via.str.ptr);
    return fail(c, FLEETMOD_EINVAL, NULL, why);
}

enum kind { SEND, CONFIRM, STATUS };

static fleetmod_rc route(struct fleetmod_stack *s, enum kind kind, call_fn fn,
                         const char *req, size_t len, fleetmod_write_fn write,
                         void *sink)
{
    struct call c = {.fn = fn,
                     .req = req,
                     .len = len,
                     .write = write,
                     .sink = sink,
                     .obj = {.type = MSGPACK_OBJECT_NIL}};
    if (len > FLEETMOD_MAX_REQUEST_BYTES)
        return fail(&c, FLEETMOD_EINVAL, NULL, "the request is over 1 MiB");
    msgpack_zone zone;
    if (!msgpack_zone_init(&zone, MSGPACK_ZONE_CHUNK_SIZE))
        return fail(&c, FLEETMOD_ENOMEM, NULL, "out of memory");
    fleetmod_rc rc = fm_msg_unpack(req, len, &zone, &c.obj);
    const msgpack_object *name =
        rc == FLEETMOD_OK ? fm_map_get(&c.obj, "provider") : NULL;
    if (rc != FLEETMOD_OK || c.obj.type != MSGPACK_OBJECT_MAP) {
        c.obj.type = MSGPACK_OBJECT_NIL;
        rc = fail(&c, rc == FLEETMOD_ENOMEM ? rc : FLEETMOD_EINVAL, NULL,
                  rc == FLEETMOD_ENOMEM ? "out of memory"
                                        : "the request is not a msgpack map");
    } else if (kind != SEND && name != NULL) {
        rc = by_name(s, &c, name);
    } else if (kind == STATUS) {
        rc = by_asking(s, &c);
    } else {
        rc = by_vin(s, &c);
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
