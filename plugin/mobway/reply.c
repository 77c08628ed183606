/* reply.c - filling and packing the reply map. */
#include "reply.h"

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

static int pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

static int pack_kv_str(msgpack_packer *pk, const char *k, const char *v)
{
    return pack_str(pk, k) || pack_str(pk, v);
}

static int pack_kv_int(msgpack_packer *pk, const char *k, int64_t v)
{
    return pack_str(pk, k) || msgpack_pack_int64(pk, v);
}

static int pack_error(msgpack_packer *pk, const struct mw_reply *r)
{
    int n = 4 + (r->http_status > 0) + (r->retry_after_ms >= 0);

    return pack_str(pk, "error") || msgpack_pack_map(pk, (size_t)n) ||
           pack_kv_int(pk, "code", r->rc) ||
           pack_kv_str(pk, "name", fleetmod_error_name(r->rc)) ||
           pack_kv_str(pk, "message",
                       r->err_message ? r->err_message
                                      : mw_errmap_sentence(r->rc)) ||
           pack_kv_str(pk, "delivered", fleetmod_rc_delivered(r->rc)) ||
           (r->http_status > 0 &&
            pack_kv_int(pk, "http_status", r->http_status)) ||
           (r->retry_after_ms >= 0 &&
            pack_kv_int(pk, "retry_after_ms", r->retry_after_ms));
}

static bool is_terminal(const char *status)
{
    return strcmp(status, "pending") != 0 &&
           strcmp(status, "confirmation") != 0;
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
    size_t n = 3 + ns + r->has_created + r->has_updated + r->has_executed +
               (r->detail.size > 0) + (r->rc != FLEETMOD_OK);
    int err =
        msgpack_pack_map(pk, n) || pack_kv_str(pk, "provider", provider) ||
        pack_kv_str(pk, "status", r->status) || pack_str(pk, "terminal") ||
        (is_terminal(r->status) ? msgpack_pack_true(pk)
                                : msgpack_pack_false(pk));

    for (size_t i = 0; i < ns && !err; i++)
        err = pack_kv_str(pk, k[i], v[i]);
    err = err || (r->has_created && pack_kv_int(pk, "created", r->created)) ||
          (r->has_updated && pack_kv_int(pk, "updated", r->updated)) ||
          (r->has_executed && pack_kv_int(pk, "executed", r->executed));
    if (!err && r->detail.size > 0)
        err = pack_str(pk, "detail") ||
              pk->callback(pk->data, r->detail.data, r->detail.size);
    if (!err && r->rc != FLEETMOD_OK)
        err = pack_error(pk, r);
    return err ? -1 : 0;
}

/* The packed reply: on the stack while it fits (a send's reply does),
 * on the heap beyond. */
struct out {
    char *data;
    size_t size, cap;
    char room[1024];
};

static int out_write(void *user, const char *buf, size_t len)
{
    struct out *o = user;
    char *grown;

    if (len > o->cap - o->size) {
        size_t cap = (o->size + len) * 2;
        if (!(grown = o->data == o->room ? malloc(cap) : realloc(o->data, cap)))
            return -1;
        if (o->data == o->room)
            memcpy(grown, o->room, o->size);
        o->data = grown;
        o->cap = cap;
    }
    memcpy(o->data + o->size, buf, len);
    o->size += len;
    return 0;
}

fleetmod_rc mw_reply_write(const struct mw_reply *r, const char *provider,
                           fleetmod_write_fn write, void *sink)
{
    struct out o;
    msgpack_packer pk;
    fleetmod_rc rc = r->rc;

    o.data = o.room;
    o.size = 0;
    o.cap = sizeof o.room;
    msgpack_packer_init(&pk, &o, out_write);
    if (mw_reply_pack(&pk, provider, r) != 0 ||
        write(sink, o.data, o.size) != 0)
        rc = FLEETMOD_ENOMEM;
    if (o.data != o.room)
        free(o.data);
    return rc;
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
