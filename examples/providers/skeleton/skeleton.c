/*
 * skeleton.c - the module's exported table and its three calls.
 *
 * Every call follows the same path: refuse an instance from another
 * process (fleetmod/modutil.h's fork guard), decode and validate the
 * request, let commands.c fill the reply, pack it and hand it to the host
 * in one piece (fleetmod/modutil.h's reply buffer), log one line. Keep
 * this file as is; change SK_NAME and the version, and the default config
 * path in build.mk.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "skeleton.h"

#ifndef SK_DEFAULT_CONFIG
#define SK_DEFAULT_CONFIG "/etc/fleetmod/skeleton.conf"
#endif

static fleetmod_rc sk_init(const struct fleetmod_host *host,
                           const char *config_path,
                           struct fleetmod_instance **out)
{
    struct fleetmod_instance *inst;
    const char *path = config_path ? config_path : SK_DEFAULT_CONFIG;
    fleetmod_rc rc;

    if (!out)
        return FLEETMOD_EINVAL;
    *out = NULL;
    inst = calloc(1, sizeof *inst);
    if (!inst)
        return FLEETMOD_ENOMEM;
    inst->log = fleetmod_log_of(host);

    rc = sk_config_load(path, &inst->log, &inst->cfg);
    if (rc == FLEETMOD_OK && (rc = sk_store_init(&inst->store)) != 0)
        sk_config_free(&inst->cfg);
    if (rc) {
        free(inst);
        return rc;
    }
    fleetmod_fork_guard_init(&inst->fork);
    fleetmod_logf(&inst->log, LOG_INFO,
                  "%s: %zu vehicles, commands complete after %llu ms", path,
                  inst->cfg.n_vehicles,
                  (unsigned long long)inst->cfg.complete_ms);
    *out = inst;
    return FLEETMOD_OK;
}

static void sk_shutdown(struct fleetmod_instance *inst)
{
    if (!inst)
        return;
    sk_store_free(&inst->store);
    sk_config_free(&inst->cfg);
    free(inst);
}

static const char *const call_names[] = {"send", "confirm", "status"};

/* A log line being built; what does not fit is cut. */
struct line {
    char buf[256];
    size_t len;
};

__attribute__((format(printf, 2, 3))) static void add(struct line *l,
                                                      const char *fmt, ...)
{
    va_list ap;
    int n;

    if (l->len >= sizeof l->buf)
        return;
    va_start(ap, fmt);
    n = vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n;
}

/* The one INFO line of a call. Never the confirmation code. */
static void log_call(const struct fleetmod_instance *inst, enum sk_call call,
                     const struct sk_request *q, const struct sk_reply *r,
                     fleetmod_rc rc)
{
    struct line l = {.len = 0};

    add(&l, "%s", call_names[call]);
    if (q->request_id.ptr)
        add(&l, " request_id=%.*s", (int)q->request_id.len, q->request_id.ptr);
    if (q->items)
        add(&l, " batch=%zu", q->n_items);
    if (r->vin[0])
        add(&l, " vin=%s command=%s", r->vin, r->command);
    if (r->id[0])
        add(&l, " id=%s", r->id);
    if (rc)
        fleetmod_logf(&inst->log, LOG_INFO, "%s: %s (%s)", l.buf,
                      fleetmod_error_name(rc), r->text);
    else
        fleetmod_logf(&inst->log, LOG_INFO, "%s: %s", l.buf,
                      q->items ? "batch" : r->status);
}

/* Run a valid request and pack its reply (or batch of replies). */
static fleetmod_rc run(struct fleetmod_instance *inst, enum sk_call call,
                       const struct sk_request *q, struct fleetmod_out *o,
                       struct sk_reply *first)
{
    size_t n = q->items ? q->n_items : 1;
    struct sk_reply *r = n == 1 && !q->items ? first : calloc(n, sizeof *r);

    if (!r) {
        sk_reply_fail(first, FLEETMOD_ENOMEM, "out of memory for %zu items", n);
        sk_pack_reply(&o->pk, first);
        return FLEETMOD_ENOMEM;
    }
    if (call == SK_SEND)
        sk_do_send(inst, q, r, n);
    else if (call == SK_CONFIRM)
        sk_do_confirm(inst, q, r);
    else
        sk_do_status(inst, q, r, n);

    if (!q->items) {
        r->request_id = q->request_id;
        sk_pack_reply(&o->pk, r);
        return r->rc;
    }
    fleetmod_pack_batch_head(&o->pk, SK_NAME, q->request_id.ptr,
                             q->request_id.len, n);
    for (size_t i = 0; i < n; i++)
        sk_pack_reply(&o->pk, &r[i]);
    free(r);
    return FLEETMOD_OK;
}

/* msgpack-c's zone for a request's objects: a few map pairs fit in the
 * first chunk; a batch's list grows it. */
#define SK_ZONE_CHUNK 1024

/* A call refused before its request is read: the reply carries only the
 * error. */
static fleetmod_rc refuse(struct fleetmod_out *o, fleetmod_rc rc,
                          const char *text, fleetmod_write_fn write, void *sink)
{
    struct sk_reply r = {0};

    sk_reply_fail(&r, rc, "%s", text);
    sk_pack_reply(&o->pk, &r);
    return fleetmod_out_finish(o, write, sink, rc);
}

static fleetmod_rc sk_call(enum sk_call call, struct fleetmod_instance *inst,
                           const char *req, size_t len, fleetmod_write_fn write,
                           void *sink)
{
    struct fleetmod_out o;
    struct sk_reply r = {0};
    struct sk_request q;
    msgpack_zone zone;
    char why[SK_TEXT_SIZE];
    fleetmod_rc rc;

    if (!write)
        return FLEETMOD_EINVAL; /* nowhere to put the reply */
    fleetmod_out_init(&o);
    /* After fork the parent's lock and state are not ours to touch. */
    if (!inst || !fleetmod_fork_guard_ours(&inst->fork))
        return refuse(&o, FLEETMOD_EINTERNAL,
                      "this instance belongs to another process: make a "
                      "new one after fork",
                      write, sink);
    if (!msgpack_zone_init(&zone, SK_ZONE_CHUNK))
        return refuse(&o, FLEETMOD_ENOMEM, "out of memory", write, sink);

    rc = sk_request_decode(call, req, len, &zone, &q, why, sizeof why);
    if (rc) {
        sk_reply_fail(&r, rc, "%s", why);
        r.request_id = q.request_id;
        sk_pack_reply(&o.pk, &r);
    } else {
        rc = run(inst, call, &q, &o, &r);
    }
    rc = fleetmod_out_finish(&o, write, sink, rc);
    log_call(inst, call, &q, &r, rc);
    msgpack_zone_destroy(&zone);
    return rc;
}

static fleetmod_rc sk_send(struct fleetmod_instance *inst, const char *req,
                           size_t len, fleetmod_write_fn write, void *sink)
{
    return sk_call(SK_SEND, inst, req, len, write, sink);
}

static fleetmod_rc sk_confirm(struct fleetmod_instance *inst, const char *req,
                              size_t len, fleetmod_write_fn write, void *sink)
{
    return sk_call(SK_CONFIRM, inst, req, len, write, sink);
}

static fleetmod_rc sk_status(struct fleetmod_instance *inst, const char *req,
                             size_t len, fleetmod_write_fn write, void *sink)
{
    return sk_call(SK_STATUS, inst, req, len, write, sink);
}

static const struct fleetmod_module table = {
    .struct_size = sizeof(struct fleetmod_module),
    .abi_version = FLEETMOD_ABI_VERSION,
    .name = SK_NAME,
    .version = "1.0.0",
    .init = sk_init,
    .send = sk_send,
    .confirm = sk_confirm,
    .status = sk_status,
    .shutdown = sk_shutdown,
    .max_batch = SK_MAX_BATCH,
};

FLEETMOD_EXPORT const struct fleetmod_module *fleetmod_module_v1(void)
{
    return &table;
}
