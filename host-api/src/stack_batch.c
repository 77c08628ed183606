/*
 * stack_batch.c - a batch ("vins", "ids") through a stack: routed item by
 * item, exactly as that many single calls would be, and sent as one batch
 * call per provider.
 *
 * Each item starts at the first provider that would take it alone (send:
 * ready, and its vins globs match the VIN; status: ready). The providers
 * are then visited once each, in file order. A provider gets the items
 * waiting for it in request order, as ONE batch call (the request with
 * its list cut down to those items), or, when they are more than its
 * module's max_batch, as consecutive calls of at most max_batch items
 * each, so that no module ever sees a batch over its limit. An item it denies
 * (send: EDENIED from a sufficient provider) or does not know (status:
 * ENOTFOUND) waits for the next provider that would take it, which is always
 * later in the file, so no provider is visited twice; so do all the items of a
 * call that failed as a whole with that same rc (nothing was delivered). Any
 * other outcome is final, and so is every item of a call that failed as a whole
 * any other way: the module may have delivered it, so it never goes to a second
 * provider. The calls run one after the
 * other on the calling thread; each module runs its own batch
 * concurrently. A status batch's wait_ms bounds the whole batch: each
 * call gets what is left of it.
 *
 * The items' replies are merged, in request order, into one batch reply.
 * Everything lives in the call: the stack itself is only read.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stack.h"

/* The two batch forms: send "vins" and status "ids". */
static const struct form {
    const char *list, *single;
    fleetmod_rc next_on; /* the item outcome that tries the next provider */
} forms[2] = {
    {"vins", "vin", FLEETMOD_EDENIED},
    {"ids", "id", FLEETMOD_ENOTFOUND},
};

static bool all_strings(const msgpack_object_array *a)
{
    for (uint32_t i = 0; i < a->size; i++) {
        if (a->ptr[i].type != MSGPACK_OBJECT_STR)
            return false;
    }
    return true;
}

fleetmod_rc fm_batch_list(const struct fleetmod_stack *s,
                          const msgpack_object *req, bool status,
                          const msgpack_object **list, char *why, size_t whylen)
{
    const struct form *f = &forms[status];
    *list = fm_map_get(req, f->list);
    if (!*list)
        return FLEETMOD_OK;
    if (fm_map_get(req, f->single)) {
        snprintf(why, whylen, "the request has both %s and %s", f->single,
                 f->list);
        return FLEETMOD_EINVAL;
    }
    const msgpack_object_array *a = &(*list)->via.array;
    if ((*list)->type != MSGPACK_OBJECT_ARRAY || a->size == 0 ||
        a->size > s->max_batch || !all_strings(a)) {
        snprintf(why, whylen,
                 "%s must be an array of 1 to %zu strings (the largest "
                 "batch a provider of the stack takes)",
                 f->list, s->max_batch);
        return FLEETMOD_EINVAL;
    }
    return FLEETMOD_OK;
}

/* One item of the batch. */
struct item {
    const msgpack_object *key; /* its VIN or id, in the request */
    char *vin;                 /* send: a NUL-terminated copy, for globs */
    size_t at; /* the provider to ask next, then the one that answered;
                  s->n: none (the stack answers) */
    bool done;
    fleetmod_rc rc;               /* done: OK, or how the item failed */
    const msgpack_object *result; /* OK: the provider's reply for it */
    const msgpack_object *error;  /* failed: the module's error map or NULL */
    const char *message;          /* failed: the text when error is NULL */
    struct fm_refusal *refusals;  /* the denials it went on after */
    size_t n_refusals;
};

struct batch {
    const struct fleetmod_stack *s;
    const struct fm_call *c;
    const struct form *form;
    bool status;
    struct item *items;
    size_t n;
    size_t *group;                /* the items of one provider */
    struct fleetmod_buf *replies; /* the replies of the calls, in order */
    size_t calls;                 /* replies used */
    msgpack_zone zone;            /* and decoded; strings point into them */
    uint64_t deadline_ms;         /* status: when the request's wait ends */
};

/* How a provider's call failed as a whole: the fate of each of its
 * items. */
struct whole {
    fleetmod_rc rc;
    const msgpack_object *error;
    const char *message;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void fail_item(struct item *it, const struct whole *w)
{
    it->done = true;
    it->rc = w->rc;
    it->error = w->error;
    it->message = w->message;
}

/* The first provider from index i on that would take the item alone. */
static size_t next_provider(const struct batch *b, size_t i,
                            const struct item *it)
{
    const struct fleetmod_stack *s = b->s;
    while (i < s->n &&
           !(b->status ? !!s->p[i].h : fm_provider_takes(&s->p[i], it->vin)))
        i++;
    return i;
}

static fleetmod_rc items_init(struct batch *b, const msgpack_object *list)
{
    const struct whole none = {
        b->status ? FLEETMOD_ENOTFOUND : FLEETMOD_EDENIED, NULL,
        b->status ? "no provider of the stack is ready"
                  : "no provider of the stack takes this VIN"};
    b->n = list->via.array.size;
    b->items = calloc(b->n, sizeof *b->items);
    b->group = calloc(b->n, sizeof *b->group);
    /* A provider's items are cut into calls of at most its max_batch:
     * never more calls than providers plus items. */
    b->replies = calloc(b->s->n + b->n, sizeof *b->replies);
    if (!b->items || !b->group || !b->replies)
        return FLEETMOD_ENOMEM;
    for (size_t i = 0; i < b->n; i++) {
        struct item *it = &b->items[i];
        it->key = &list->via.array.ptr[i];
        if (!b->status) {
            it->vin = strndup(it->key->via.str.ptr, it->key->via.str.size);
            if (!it->vin)
                return FLEETMOD_ENOMEM;
        }
        it->at = next_provider(b, 0, it);
        if (it->at == b->s->n)
            fail_item(it, &none);
    }
    return FLEETMOD_OK;
}

/* The items waiting for provider p into b->group; their count. */
static size_t gather(struct batch *b, size_t p)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (!b->items[i].done && b->items[i].at == p)
            b->group[k++] = i;
    }
    return k;
}

static uint64_t time_left(const struct batch *b)
{
    uint64_t now = now_ms();
    return b->deadline_ms > now ? b->deadline_ms - now : 0;
}

/* The request of one call: every key as the host sent it, but the list
 * holds the k items of group, and a status wait_ms what is left of it. */
static fleetmod_rc sub_request(const struct batch *b, const size_t *group,
                               size_t k, struct fleetmod_buf *out)
{
    const msgpack_object_map *m = &b->c->obj.via.map;
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, fleetmod_buf_write);
    int fail = msgpack_pack_map(&pk, m->size);
    for (uint32_t i = 0; i < m->size && !fail; i++) {
        const msgpack_object *key = &m->ptr[i].key, *v = &m->ptr[i].val;
        fail = msgpack_pack_object(&pk, *key);
        if (fail) {
            break;
        } else if (fm_key_is(key, b->form->list)) {
            fail = msgpack_pack_array(&pk, k);
            for (size_t j = 0; j < k && !fail; j++)
                fail = msgpack_pack_object(&pk, *b->items[group[j]].key);
        } else if (b->status && fm_key_is(key, "wait_ms") &&
                   v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            fail = msgpack_pack_uint64(&pk, time_left(b));
        } else {
            fail = msgpack_pack_object(&pk, *v);
        }
    }
    return fail ? FLEETMOD_ENOMEM : FLEETMOD_OK;
}

/* The rc in an item's error map; FLEETMOD_OK without one. */
static fleetmod_rc item_rc(const msgpack_object *result)
{
    const msgpack_object *error = fm_map_get(result, "error");
    const msgpack_object *code = error ? fm_map_get(error, "code") : NULL;
    if (!code || code->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return FLEETMOD_OK;
    return code->via.u64 < FLEETMOD_RC_COUNT ? (fleetmod_rc)code->via.u64
                                             : FLEETMOD_EINTERNAL;
}

/* Note provider p's denial of an item that goes on. The refusals only
 * inform: without memory for them the item still goes on. */
static void refused(struct batch *b, size_t p, struct item *it, fleetmod_rc rc,
                    const msgpack_object *error)
{
    if (b->status)
        return; /* an id a provider does not know was not refused */
    if (!it->refusals)
        it->refusals = calloc(b->s->n, sizeof *it->refusals);
    if (it->refusals)
        it->refusals[it->n_refusals++] =
            fm_refusal_of(b->s->p[p].section, rc, error);
}

/* Whether an item that provider p answered with rc (and error, its error
 * map or NULL) goes on to the next provider that would take it, as a
 * single call would; moves it there. */
static bool pass_on(struct batch *b, size_t p, struct item *it, fleetmod_rc rc,
                    const msgpack_object *error)
{
    if (rc != b->form->next_on ||
        !(b->status || b->s->p[p].control == FM_SUFFICIENT))
        return false;
    size_t next = next_provider(b, p + 1, it);
    if (next == b->s->n)
        return false;
    refused(b, p, it, rc, error);
    it->at = next;
    return true;
}

/* Provider p's result for an item: final, or passed on. */
static void take(struct batch *b, size_t p, struct item *it,
                 const msgpack_object *result)
{
    if (pass_on(b, p, it, item_rc(result), fm_map_get(result, "error")))
        return;
    it->done = true;
    it->rc = FLEETMOD_OK;
    it->result = result;
}

/* The results of a batch reply of k items, NULL when it is not one. */
static const msgpack_object *results_of(const msgpack_object *reply, size_t k)
{
    const msgpack_object *r = fm_map_get(reply, "results");
    if (!r || r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != k)
        return NULL;
    for (size_t j = 0; j < k; j++) {
        if (r->via.array.ptr[j].type != MSGPACK_OBJECT_MAP)
            return NULL;
    }
    return r;
}

/* Provider p answered the call for the k items of group with rc and the
 * reply it wrote into buf: each item's result, or the call's failure. */
static void settle(struct batch *b, size_t p, const size_t *group, size_t k,
                   fleetmod_rc rc, const struct fleetmod_buf *buf)
{
    msgpack_object reply;
    fleetmod_rc urc = fm_msg_unpack(buf->data, buf->len, &b->zone, &reply);
    bool map = urc == FLEETMOD_OK && reply.type == MSGPACK_OBJECT_MAP;
    const msgpack_object *results =
        map && rc == FLEETMOD_OK ? results_of(&reply, k) : NULL;
    struct whole w = {FLEETMOD_EINTERNAL, NULL,
                      "the provider's module wrote an invalid reply"};
    if (!map && (urc == FLEETMOD_ENOMEM || rc == FLEETMOD_ENOMEM))
        w = (struct whole){FLEETMOD_ENOMEM, NULL, "out of memory"};
    else if (map && rc != FLEETMOD_OK)
        w = (struct whole){rc, fm_map_get(&reply, "error"),
                           fleetmod_strerror(rc)};
    for (size_t j = 0; j < k; j++) {
        struct item *it = &b->items[group[j]];
        if (results)
            take(b, p, it, &results->via.array.ptr[j]);
        else if (!pass_on(b, p, it, map ? rc : FLEETMOD_EINTERNAL, w.error))
            fail_item(it, &w);
    }
}

/* One batch call to provider p for the k items of group. */
static void ask_once(struct batch *b, size_t p, const size_t *group, size_t k)
{
    struct fleetmod_buf req = {0}, *reply = &b->replies[b->calls++];
    fleetmod_rc rc = sub_request(b, group, k, &req);
    if (rc == FLEETMOD_OK)
        rc = b->c->fn(b->s->p[p].h, req.data, req.len, fleetmod_buf_write,
                      reply);
    fleetmod_buf_free(&req);
    settle(b, p, group, k, rc, reply);
}

/* The k items of b->group to provider p, in calls of at most its
 * max_batch items, in request order. */
static void ask(struct batch *b, size_t p, size_t k)
{
    size_t most = b->s->p[p].max_batch;
    for (size_t off = 0; off < k; off += most)
        ask_once(b, p, b->group + off, k - off < most ? k - off : most);
}

static const char *provider_of(const struct batch *b, const struct item *it)
{
    return it->at < b->s->n ? b->s->p[it->at].section : FM_STACK_PROVIDER;
}

/* The reply's own provider: the section that answered every item, else
 * "stack" (each item names its own). */
static const char *outer_provider(const struct batch *b)
{
    for (size_t i = 1; i < b->n; i++) {
        if (b->items[i].at != b->items[0].at)
            return FM_STACK_PROVIDER;
    }
    return provider_of(b, &b->items[0]);
}

static int pack_item(msgpack_packer *pk, const struct batch *b,
                     const struct item *it)
{
    struct fm_refusals ref = {it->refusals, it->n_refusals};
    if (it->rc == FLEETMOD_OK)
        return fm_pack_with_provider(pk, it->result, provider_of(b, it), &ref);
    struct fm_failure f = {
        .provider = provider_of(b, it),
        .rc = it->rc,
        .message = it->message,
        .error = it->error,
        .echo = {{b->form->single, it->key},
                 {"command", fm_map_get(&b->c->obj, "command")}},
        .refusals = ref};
    return fm_pack_failure(pk, &f);
}

/* The merged reply, written to the host in one piece. */
static fleetmod_rc write_merged(const struct batch *b)
{
    const struct fm_call *c = b->c;
    struct fleetmod_buf out = {0};
    msgpack_packer pk;
    msgpack_packer_init(&pk, &out, fleetmod_buf_write);
    int fail = fm_pack_batch_head(&pk, outer_provider(b), &c->obj, b->n);
    for (size_t i = 0; i < b->n && !fail; i++)
        fail = pack_item(&pk, b, &b->items[i]);
    fleetmod_rc rc = FLEETMOD_OK;
    if (fail)
        rc = fm_stack_fail(NULL, &c->obj, FLEETMOD_ENOMEM, "out of memory",
                           c->write, c->sink);
    else if (c->write(c->sink, out.data, out.len) != 0)
        rc = FLEETMOD_ENOMEM;
    fleetmod_buf_free(&out);
    return rc;
}

static void batch_free(struct batch *b)
{
    for (size_t i = 0; b->items && i < b->n; i++) {
        free(b->items[i].vin);
        free(b->items[i].refusals);
    }
    for (size_t i = 0; i < b->calls; i++)
        fleetmod_buf_free(&b->replies[i]);
    free(b->items);
    free(b->group);
    free(b->replies);
    msgpack_zone_destroy(&b->zone);
}

fleetmod_rc fm_stack_batch(const struct fleetmod_stack *s,
                           const struct fm_call *c, bool status,
                           const msgpack_object *list)
{
    struct batch b = {.s = s, .c = c, .form = &forms[status], .status = status};
    if (!msgpack_zone_init(&b.zone, MSGPACK_ZONE_CHUNK_SIZE))
        return fm_stack_fail(NULL, &c->obj, FLEETMOD_ENOMEM, "out of memory",
                             c->write, c->sink);
    const msgpack_object *wait = fm_map_get(&c->obj, "wait_ms");
    uint64_t now = now_ms();
    if (status && wait && wait->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        b.deadline_ms =
            wait->via.u64 > UINT64_MAX - now ? UINT64_MAX : now + wait->via.u64;
    fleetmod_rc rc = items_init(&b, list);
    for (size_t p = 0; p < s->n && rc == FLEETMOD_OK; p++) {
        size_t k = gather(&b, p);
        if (k > 0)
            ask(&b, p, k);
    }
    rc = rc == FLEETMOD_OK ? write_merged(&b)
                           : fm_stack_fail(NULL, &c->obj, rc, "out of memory",
                                           c->write, c->sink);
    batch_free(&b);
    return rc;
}
