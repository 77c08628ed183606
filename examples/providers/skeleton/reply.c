/*
 * reply.c - struct sk_reply to one msgpack map. The map's head, its error
 * map (name and delivered from module.h's table) and the packing into one
 * buffer for the host are fleetmod/modutil.h's; what is left here is the
 * provider's own fields.
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

/* The vehicle's answer. The skeleton has no vehicle: it says so. */
static int pack_detail(msgpack_packer *pk)
{
    return fleetmod_pack_str(pk, "detail") || msgpack_pack_map(pk, 1) ||
           fleetmod_pack_str(pk, "simulated") || msgpack_pack_true(pk);
}

/* An optional string member: packed when not empty. */
static int pack_opt(msgpack_packer *pk, const char *key, const char *s)
{
    return s[0] && fleetmod_pack_kv_str(pk, key, s);
}

static int pack_opt_int(msgpack_packer *pk, bool has, const char *key,
                        int64_t v)
{
    return has && fleetmod_pack_kv_int(pk, key, v);
}

int sk_pack_reply(msgpack_packer *pk, const struct sk_reply *r)
{
    const char *status = r->rc ? "failed" : r->status;
    bool message = !r->rc && r->text[0];
    size_t more = !!r->id[0] + !!r->vin[0] + !!r->command[0] +
                  !!r->request_id.ptr + !!r->code[0] + message +
                  r->has_created + r->has_updated + r->has_executed +
                  r->has_detail + !!r->rc;

    return fleetmod_pack_reply_head(pk, more, SK_NAME, status) ||
           pack_opt(pk, "id", r->id) || pack_opt(pk, "vin", r->vin) ||
           pack_opt(pk, "command", r->command) ||
           (r->request_id.ptr &&
            fleetmod_pack_kv_strn(pk, "request_id", r->request_id.ptr,
                                  r->request_id.len)) ||
           pack_opt(pk, "code", r->code) ||
           (message && fleetmod_pack_kv_str(pk, "message", r->text)) ||
           pack_opt_int(pk, r->has_created, "created", r->created) ||
           pack_opt_int(pk, r->has_updated, "updated", r->updated) ||
           pack_opt_int(pk, r->has_executed, "executed", r->executed) ||
           (r->has_detail && pack_detail(pk)) ||
           (r->rc && fleetmod_pack_error(pk, r->rc, r->text, 0, -1));
}
