/*
 * reply.c - struct sk_reply to one msgpack map, straight into the host's
 * write callback (no intermediate buffer: msgpack_packer takes a function
 * of the same shape as fleetmod_write_fn).
 *
 * Keep this file as is in your provider; if your backend returns more
 * (an odometer, a position), add it to "detail" in pack_detail.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "skeleton.h"

void sk_reply_fail(struct sk_reply *r, fleetmod_rc rc, const char *fmt, ...)
{
    va_list ap;

    r->rc = rc;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

/* The first failed write stops all later ones; msgpack_pack_* then return
 * non-zero, which we need not check one by one: sk_out_rc reports it. */
static int out_write(void *data, const char *buf, size_t len)
{
    struct sk_out *o = data;

    if (o->failed || o->write(o->sink, buf, len) != 0) {
        o->failed = true;
        return -1;
    }
    return 0;
}

void sk_out_init(struct sk_out *o, fleetmod_write_fn write, void *sink)
{
    o->write = write;
    o->sink = sink;
    o->failed = false;
    msgpack_packer_init(&o->pk, o, out_write);
}

fleetmod_rc sk_out_rc(const struct sk_out *o, fleetmod_rc rc)
{
    return o->failed ? FLEETMOD_ENOMEM : rc;
}

static void pack_str(msgpack_packer *pk, const char *s, size_t len)
{
    msgpack_pack_str(pk, len);
    msgpack_pack_str_body(pk, s, len);
}

static void pack_key_str(msgpack_packer *pk, const char *key, const char *s)
{
    pack_str(pk, key, strlen(key));
    pack_str(pk, s, strlen(s));
}

static void pack_key_int(msgpack_packer *pk, const char *key, int64_t v)
{
    pack_str(pk, key, strlen(key));
    msgpack_pack_int64(pk, v);
}

/* The vehicle's answer. The skeleton has no vehicle: it says so. */
static void pack_detail(msgpack_packer *pk)
{
    pack_str(pk, "detail", 6);
    msgpack_pack_map(pk, 1);
    pack_str(pk, "simulated", 9);
    msgpack_pack_true(pk);
}

static void pack_error(msgpack_packer *pk, const struct sk_reply *r)
{
    pack_str(pk, "error", 5);
    msgpack_pack_map(pk, 4);
    pack_key_int(pk, "code", r->rc);
    pack_key_str(pk, "name", fleetmod_error_name(r->rc));
    pack_key_str(pk, "message", r->text);
    pack_key_str(pk, "delivered", fleetmod_rc_delivered(r->rc));
}

static bool terminal(const char *status)
{
    return strcmp(status, "pending") != 0 &&
           strcmp(status, "confirmation") != 0;
}

void sk_out_reply(struct sk_out *o, const struct sk_reply *r)
{
    msgpack_packer *pk = &o->pk;
    const char *status = r->rc ? "failed" : r->status;
    bool message = !r->rc && r->text[0];
    uint32_t n = 3 + !!r->id[0] + !!r->vin[0] + !!r->command[0] +
                 !!r->request_id.ptr + !!r->code[0] + message + r->has_created +
                 r->has_updated + r->has_executed + r->has_detail + !!r->rc;

    msgpack_pack_map(pk, n);
    pack_key_str(pk, "provider", SK_NAME);
    pack_key_str(pk, "status", status);
    pack_str(pk, "terminal", 8);
    if (terminal(status))
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    if (r->id[0])
        pack_key_str(pk, "id", r->id);
    if (r->vin[0])
        pack_key_str(pk, "vin", r->vin);
    if (r->command[0])
        pack_key_str(pk, "command", r->command);
    if (r->request_id.ptr) {
        pack_str(pk, "request_id", 10);
        pack_str(pk, r->request_id.ptr, r->request_id.len);
    }
    if (r->code[0])
        pack_key_str(pk, "code", r->code);
    if (message)
        pack_key_str(pk, "message", r->text);
    if (r->has_created)
        pack_key_int(pk, "created", r->created);
    if (r->has_updated)
        pack_key_int(pk, "updated", r->updated);
    if (r->has_executed)
        pack_key_int(pk, "executed", r->executed);
    if (r->has_detail)
        pack_detail(pk);
    if (r->rc)
        pack_error(pk, r);
}

void sk_out_batch(struct sk_out *o, struct sk_str request_id, size_t n)
{
    msgpack_packer *pk = &o->pk;

    msgpack_pack_map(pk, 4 + !!request_id.ptr);
    pack_key_str(pk, "provider", SK_NAME);
    pack_key_str(pk, "status", "batch");
    pack_str(pk, "terminal", 8);
    msgpack_pack_true(pk);
    if (request_id.ptr) {
        pack_str(pk, "request_id", 10);
        pack_str(pk, request_id.ptr, request_id.len);
    }
    pack_str(pk, "results", 7);
    msgpack_pack_array(pk, n);
}
