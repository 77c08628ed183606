/* reply.c - filling the reply map, and packing it through fleetmod/modutil.h
 * (the head, the error map and the batch head every module packs alike). */
#include "reply.h"

#include <fleetmod/modutil.h>
#include <stdlib.h>
#include <string.h>

#include "errmap.h"

void mw_reply_init(struct mw_reply *r, const char *request_id, const char *vin,
                   const char *command)
{
    memset(r, 0, sizeof *r);
    msgpack_sbuffer_init(&r->detail);
    r->status = "failed";
    r->rc = FLEETMOD_OK;
    r->retry_after_ms = -1;
    r->request_id = request_id;
    r->vin = vin;
    r->command = command;
}

fleetmod_rc mw_reply_fail(struct mw_reply *r, fleetmod_rc rc, long http_status,
                          const char *message)
{
    r->status = "failed";
    r->rc = rc;
    r->http_status = http_status;
    free(r->err_message);
    r->err_message = strdup(message ? message : mw_errmap_sentence(rc));
    return rc;
}

/* The optional string members, in the order they are packed. */
static size_t optional_strs(const struct mw_reply *r, const char *k[7],
                            const char *v[7])
{
    const char *keys[] = {"id",   "vin",     "command", "request_id",
                          "code", "message", "detail"};
    const char *vals[] = {r->id,   r->vin,     r->command,    r->request_id,
                          r->code, r->message, r->detail_text};
    size_t n = 0;

    for (size_t i = 0; i < 7; i++)
        if (vals[i]) {
            k[n] = keys[i];
            v[n++] = vals[i];
        }
    return n;
}

int mw_reply_pack(msgpack_packer *pk, const char *provider,
                  const struct mw_reply *r)
{
    const char *k[7], *v[7];
    size_t ns = optional_strs(r, k, v);
    size_t more = ns + r->has_created + r->has_updated + r->has_executed +
                  (r->detail.size > 0) + (r->rc != FLEETMOD_OK);
    int err = fleetmod_pack_reply_head(pk, more, provider, r->status);

    for (size_t i = 0; i < ns && !err; i++)
        err = fleetmod_pack_kv_str(pk, k[i], v[i]);
    err =
        err ||
        (r->has_created && fleetmod_pack_kv_int(pk, "created", r->created)) ||
        (r->has_updated && fleetmod_pack_kv_int(pk, "updated", r->updated)) ||
        (r->has_executed && fleetmod_pack_kv_int(pk, "executed", r->executed));
    if (!err && r->detail.size > 0)
        err = fleetmod_pack_str(pk, "detail") ||
              pk->callback(pk->data, r->detail.data, r->detail.size);
    if (!err && r->rc != FLEETMOD_OK)
        err = fleetmod_pack_error(pk, r->rc,
                                  r->err_message ? r->err_message
                                                 : mw_errmap_sentence(r->rc),
                                  r->http_status, r->retry_after_ms);
    return err ? -1 : 0;
}

fleetmod_rc mw_reply_write(const struct mw_reply *r, const char *provider,
                           fleetmod_write_fn write, void *sink)
{
    struct fleetmod_out o;

    fleetmod_out_init(&o);
    mw_reply_pack(&o.pk, provider, r);
    return fleetmod_out_finish(&o, write, sink, r->rc);
}

fleetmod_rc mw_reply_write_batch(const struct mw_reply *items, size_t n,
                                 const char *request_id, const char *provider,
                                 fleetmod_write_fn write, void *sink)
{
    struct fleetmod_out o;
    int err;

    fleetmod_out_init(&o);
    err = fleetmod_pack_batch_head(&o.pk, provider, request_id,
                                   request_id ? strlen(request_id) : 0, n);
    for (size_t i = 0; i < n && !err; i++)
        err = mw_reply_pack(&o.pk, provider, &items[i]);
    return fleetmod_out_finish(&o, write, sink, FLEETMOD_OK);
}

void mw_reply_clear_answer(struct mw_reply *r)
{
    struct mw_reply keep = *r;

    r->id = r->own_vin = r->own_command = NULL;
    mw_reply_free(r);
    mw_reply_init(r, keep.request_id, keep.vin, keep.command);
    r->id = keep.id;
    r->own_vin = keep.own_vin;
    r->own_command = keep.own_command;
}

void mw_reply_free(struct mw_reply *r)
{
    free(r->id);
    free(r->own_vin);
    free(r->own_command);
    if (r->code)
        memset(r->code, 0, strlen(r->code));
    free(r->code);
    free(r->message);
    free(r->detail_text);
    free(r->err_message);
    msgpack_sbuffer_destroy(&r->detail);
    memset(r, 0, sizeof *r);
}
